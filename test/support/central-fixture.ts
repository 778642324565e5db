import pg from 'pg';
import type { AppLogger } from '../../src/ports/logger.port.js';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { prepareCentralDatabase } from '../../src/adapters/postgres/central-database.js';
import { guardPool } from '../../src/adapters/postgres/connection-faults.js';
import { freshDatabase } from './databases.js';

export interface CentralFixture {
  url: string;
  pool: pg.Pool;
  store: PostgresEventStore;
  /** A pool of its own for the read side (projections, reports), as the service has. */
  readSide: pg.Pool;
  /** What the code under test logged (every level), through `logger`. */
  logs: string[];
  logger: AppLogger;
}

/**
 * A fresh central database (every central migration), its event store on a pool, and a read side pool, for
 * one describe block: opened in a beforeAll registered here (so before the block's own), dropped in an
 * afterAll. Its fields are set once that beforeAll has run.
 */
export function useCentralFixture(prefix: string): CentralFixture {
  const logs: string[] = [];
  const logger: AppLogger = { log: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
  const fixture = { logs, logger } as CentralFixture;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const db = await freshDatabase(prefix);
    drop = () => db.drop();
    await prepareCentralDatabase(db.url, logger);
    const pool = new pg.Pool({ connectionString: db.url, max: 5 });
    // pg-pool's end() resolves once it has asked its idle sessions to close, not once they have: the
    // afterAll's DROP ... WITH (FORCE) can terminate one still closing, and its FATAL then reaches the
    // pool as an 'error' event, which without a listener fails the suite (seen once in CI).
    pool.on('error', () => undefined);
    const store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    const readSide = guardPool(new pg.Pool({ connectionString: db.url, max: 4 }), 'read side');
    Object.assign(fixture, { url: db.url, pool, store, readSide });
  });
  afterAll(async () => {
    await fixture.readSide?.end();
    await fixture.store?.close();
    await fixture.pool?.end();
    await drop?.();
  });
  return fixture;
}
