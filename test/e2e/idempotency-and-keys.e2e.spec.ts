import { freshDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const OPS = 'ops-secret-0123456789abcdef';
const CI = 'ci-secret-0123456789abcdefgh';

describe('Idempotency-Key and several API keys', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_idem');
    scs = await startScs({ databaseUrl: central.url, env: { SCS_API_KEYS: `ops:${OPS}, ci:${CI}` } });
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  const post = (body: unknown, key: string, apiKey = API_KEY) =>
    scs.request('/school', { method: 'POST', json: body, key: apiKey, headers: { 'Idempotency-Key': key } });

  it('replays the first answer to a retry with the same key and body, and creates one school', async () => {
    const body = schoolBody();
    const first = await post(body, 'retry-1');
    const second = await post(body, 'retry-1');
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    await waitForStatus(scs, first.body.id, ['active']);
    const list = await scs.request(`/schools?limit=500`);
    expect(list.body.items.filter((s: { slug: string }) => s.slug === body.slug)).toHaveLength(1);
  });

  it('answers 422 to the same key with another body, and keeps 4xx answers too', async () => {
    expect((await post(schoolBody(), 'reuse-1')).status).toBe(202);
    const other = await post(schoolBody(), 'reuse-1');
    expect(other.status).toBe(422);
    expect(other.body.type).toMatch(/idempotency-key-reused/);
    const bad = { ...schoolBody(), slug: 'WWW' };
    expect((await post(bad, 'bad-1')).status).toBe(400);
    const again = await post(bad, 'bad-1');
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('creates exactly one school from 20 concurrent requests with one key', async () => {
    const body = schoolBody();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(body, 'burst-1')));
    const ids = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id));
    expect(ids.size).toBe(1);
    for (const a of answers) expect([202, 409]).toContain(a.status);
    const list = await waitFor('the school in the list', async () => {
      const res = await scs.request('/schools?limit=500');
      return res.body.items.some((s: { slug: string }) => s.slug === body.slug) ? res : undefined;
    });
    expect(list.body.items.filter((s: { slug: string }) => s.slug === body.slug)).toHaveLength(1);
  });

  it('keeps idempotency keys per API key, and DELETE honours them too', async () => {
    const body = schoolBody();
    const byOps = await post(body, 'shared-key', OPS);
    expect(byOps.status).toBe(202);
    const byCi = await post({ ...body, slug: `${body.slug}-ci` }, 'shared-key', CI);
    expect(byCi.status).toBe(202);
    await waitForStatus(scs, byOps.body.id, ['active'], 30_000);
    const del = () =>
      scs.request(`/school/${byOps.body.id}`, { method: 'DELETE', key: OPS, headers: { 'Idempotency-Key': 'del-1' } });
    const [d1, d2] = [await del(), await del()];
    expect(d1.status).toBe(202);
    expect(d2.status).toBe(202);
    expect(d2.headers.get('idempotent-replayed')).toBe('true');
  });

  it('records which key asked, by its id and never its secret', async () => {
    const created = await post(schoolBody(), 'actor-1', CI);
    const history = await scs.request(`/school/${created.body.id}/history`, { key: OPS });
    expect(history.body.events[0].metadata.actor).toBe('ci');
    expect(JSON.stringify(history.body)).not.toContain(CI);
    expect(scs.logs.join('')).not.toContain(CI);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const res = await post(schoolBody(), 'x'.repeat(201));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
  });
});
