import pg from 'pg';
import { silentLogger } from '../../src/ports/logger.port.js';
import { prepareCentralDatabase } from '../../src/adapters/postgres/central-database.js';
import { PostgresThrottlerStorage } from '../../src/http/rate-limits/postgres-throttler-storage.js';
import { freshDatabase } from '../support/databases.js';

describe('rate limits: leases of the shared count', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let queries = 0;

  beforeAll(async () => {
    db = await freshDatabase('scs_leases');
    await prepareCentralDatabase(db.url, silentLogger);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    pool.query = ((...args: unknown[]) => {
      queries += 1;
      return query(...args);
    }) as typeof pool.query;
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const replica = () => new PostgresThrottlerStorage(pool, silentLogger);

  // Each replica is asked for more than the limit, so neither is left holding an unspent lease (which is
  // counted: a client whose requests stop on one replica may get its 429 a few hits early on another).
  it('lets exactly the limit through two replicas each hit more than that at once, in far fewer round trips, then blocks', async () => {
    const [a, b] = [replica(), replica()];
    queries = 0;
    const hits = await Promise.all(
      Array.from({ length: 2_600 }, (_, i) => [a, b][i % 2].increment('client-1', 60_000, 1_000, 0)),
    );
    expect(hits.filter((h) => !h.isBlocked)).toHaveLength(1_000);
    expect(queries).toBeLessThan(200);
    const blocked = hits.filter((h) => h.isBlocked);
    expect(blocked.every((h) => h.timeToBlockExpire > 0 && h.timeToBlockExpire <= 60)).toBe(true);
    // A block is answered from memory until it ends, and holds for a replica that never saw the key.
    queries = 0;
    expect((await a.increment('client-1', 60_000, 1_000, 0)).isBlocked).toBe(true);
    expect(queries).toBe(0);
    expect((await replica().increment('client-1', 60_000, 1_000, 0)).isBlocked).toBe(true);
    const [row] = (await pool.query('SELECT hits FROM scs_rate_limits WHERE key = $1', ['client-1'])).rows;
    expect(row.hits).toBe(1_001);
  });

  it('counts one by one near the limit, so sequential hits over replicas block at exactly the limit', async () => {
    const [a, b] = [replica(), replica()];
    const seen: boolean[] = [];
    for (let i = 0; i < 9; i++) seen.push((await [a, b][i % 2].increment('client-2', 60_000, 6, 0)).isBlocked);
    expect(seen).toEqual([false, false, false, false, false, false, true, true, true]);
  });

  it('starts a new window once the old one ends, and reports the hits and the time left', async () => {
    const a = replica();
    const first = await a.increment('client-3', 1_000, 2, 0);
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(first.timeToExpire).toBeLessThanOrEqual(1);
    expect((await a.increment('client-3', 1_000, 2, 0)).totalHits).toBe(2);
    expect((await a.increment('client-3', 1_000, 2, 0)).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await a.increment('client-3', 1_000, 2, 0)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
