import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { slugStreamId } from '../../src/domain/school/slug.js';
import { freshDatabase } from '../support/databases.js';
import { reconcileReport, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

/**
 * A request that dies between its slug claim and its school leaves the claim behind. That moment is
 * made here by appending the claim alone, as the dead request did.
 */
describe('a slug claim abandoned by a crash between the claim and the school', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let pool: pg.Pool;

  beforeAll(async () => {
    central = await freshDatabase('scs_claims');
    scs = await startScs({ databaseUrl: central.url });
    pool = new pg.Pool({ connectionString: central.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await scs?.stop();
    await central?.drop();
  });

  it('answers 409 with Retry-After, lists the claim in reconcile, then gives the slug to the next one', async () => {
    const body = schoolBody();
    const dead = randomUUID();
    const store = new PostgresEventStore({ pool, pollIntervalMs: 1_000 });
    const metadata = { actor: 'test', correlationId: 'crashed-request', now: new Date().toISOString() };
    const claim = { type: 'SlugClaimed', data: { slug: body.slug, schoolId: dead }, metadata };
    await store.append(slugStreamId(body.slug), [claim], 'no_stream');
    await store.close();

    const refused = await scs.request('/school', { method: 'POST', json: body });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/slug-taken$/), field: 'slug' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect((await scs.request(`/school/${dead}`)).status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    const report = await reconcileReport(central.url);
    expect(report.stdout).toContain(`abandoned slug claim ${body.slug} (school ${dead}`);

    const taken = await scs.request('/school', { method: 'POST', json: body });
    expect(taken.status).toBe(202);
    await waitForStatus(scs, taken.body.id, ['active']);
    expect((await scs.request(`/school/${dead}`)).status).toBe(404);
    expect((await reconcileReport(central.url)).stdout).not.toContain('abandoned slug claim');
  });
});
