import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { abandonedClaims, claimSlug, SlugTakenError } from '../../src/school/request-school/slug-claims.js';
import { recordRequestedSchool } from '../../src/school/request-school/request-school.handler.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { slugStreamId } from '../../src/domain/school/slug.js';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { freshDatabase } from '../support/databases.js';
import { applyEventStoreSchema } from '../support/event-store-fixtures.js';

/** Slug claims against the real PostgreSQL event store: a crash between claim and school, and after. */
describe('slug claims abandoned by a request that died before recording its school', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase('scs_slugs');
    await applyEventStoreSchema(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 5 });
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** A fresh slug claimed by a school that was never recorded, and metadata `ms` after that claim. */
  const abandoned = async () => {
    const slug = `abandoned-${process.pid}-${n++}`;
    const holder = randomUUID();
    await claimSlug(store, slug, holder, { actor: 'test', correlationId: 'c', now: new Date().toISOString() });
    const claimedAt = (await store.readStream(slugStreamId(slug)))[0].recordedAt.getTime();
    const at = (ms: number) => ({ actor: 'test', correlationId: 'c', now: new Date(claimedAt + ms).toISOString() });
    return { slug, holder, at };
  };
  const types = async (stream: string) => (await store.readStream(stream)).map((e) => e.type);
  const request = (schoolId: string, slug: string, now: string) => ({
    type: 'RequestSchool' as const,
    data: {
      schoolId,
      databaseName: `school_${schoolId.replace(/-/g, '')}`,
      subdomain: `${slug}.syncad.in`,
      slugStream: slugStreamId(slug),
      slugRevision: 0,
      now,
      details: {
        name: 'Greenwood High',
        slug,
        district: 'Pune',
        board: 'CBSE',
        adminEmail: 'admin@greenwood.example',
        phone: '+919876543210',
      },
    },
  });

  it('refuses a young claim with the seconds until it counts as abandoned', async () => {
    const { slug, at } = await abandoned();
    const refused = await claimSlug(store, slug, randomUUID(), at(1_200)).catch((e) => e);
    expect(refused).toBeInstanceOf(SlugTakenError);
    expect(refused.retryAfterSeconds).toBe(4);
  });

  it('takes over a claim older than 5 s whose school stream does not exist, fencing that school first', async () => {
    const { slug, holder, at } = await abandoned();
    const taker = randomUUID();
    await claimSlug(store, slug, taker, at(5_001));
    expect(await types(slugStreamId(slug))).toEqual(['SlugClaimed', 'SlugReleased', 'SlugClaimed']);
    expect((await store.readStream(slugStreamId(slug))).at(-1)!.data.schoolId).toBe(taker);
    expect(await types(schoolStreamId(holder))).toEqual(['SchoolRequestAbandoned']);
    // The late request of the first claimant can no longer record its school: one slug, one school.
    const late = recordRequestedSchool(store, request(holder, slug, at(5_002).now), at(5_002));
    await expect(late).rejects.toBeInstanceOf(SlugTakenError);
    expect(await types(schoolStreamId(holder))).toEqual(['SchoolRequestAbandoned']);
  });

  it('never takes over the claim of a school that was recorded, however old', async () => {
    const { slug, holder, at } = await abandoned();
    await recordRequestedSchool(store, request(holder, slug, at(10).now), at(10));
    const refused = await claimSlug(store, slug, randomUUID(), at(3_600_000)).catch((e) => e);
    expect(refused).toBeInstanceOf(SlugTakenError);
    expect(refused.retryAfterSeconds).toBeUndefined();
    expect(await types(schoolStreamId(holder))).toEqual(['SchoolRequested', 'SlugReserved']);
  });

  it('lists abandoned claims for the reconciler, and releases them when asked', async () => {
    const young = await abandoned();
    const old = await abandoned();
    const now = old.at(6_000).now;
    const listed = await abandonedClaims(store, new Set(), { now });
    expect(listed.map((c) => c.slug)).toContain(old.slug);
    // A claim younger than 5 s may belong to a request still running: not listed.
    const early = await abandonedClaims(store, new Set(), { now: young.at(1_000).now });
    expect(early.map((c) => c.slug)).not.toContain(young.slug);
    expect(listed.find((c) => c.slug === old.slug)).toMatchObject({ schoolId: old.holder });
    // A recorded school's claim is never listed.
    expect((await abandonedClaims(store, new Set([old.holder]), { now })).map((c) => c.slug)).not.toContain(old.slug);

    const released = await abandonedClaims(store, new Set(), { now, release: old.at(6_000) });
    expect(released.map((c) => c.slug)).toContain(old.slug);
    expect(await types(slugStreamId(old.slug))).toEqual(['SlugClaimed', 'SlugReleased']);
    expect(await types(schoolStreamId(old.holder))).toEqual(['SchoolRequestAbandoned']);
    // Released: the next request gets the slug at once.
    const next = randomUUID();
    await claimSlug(store, old.slug, next, old.at(6_001));
    expect((await abandonedClaims(store, new Set([next]), { now })).map((c) => c.slug)).not.toContain(old.slug);
  });
});
