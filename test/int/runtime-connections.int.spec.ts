import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../src/ports/logger.port.js';
import { loadConfig } from '../../src/config/config.js';
import { isDatabaseUnavailable } from '../../src/adapters/postgres/connection-faults.js';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createAppContext } from '../../src/composition/create-app-context.js';
import { CENTRAL_DATABASE, READ_SIDE, type CentralDatabase } from '../../src/composition/tokens.js';
import { READINESS, type Readiness } from '../../src/http/tokens.js';
import { freshDatabase, serverUrl } from '../support/databases.js';

/** Ends every session on the database but the caller's, as a server that is going away does. */
async function terminateSessions(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('runtime: a connection lost while it is held does not end the process', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dataDir: string;
  let app: INestApplicationContext;
  /** The service's composition as the CLI makes it: its central pool, TypeORM, the read side, GET /ready's checks. */
  const runtime = {
    get pool() {
      return app.get<CentralDatabase>(CENTRAL_DATABASE).pool;
    },
    get dataSource() {
      return app.get(DataSource);
    },
    get readSide() {
      return app.get<pg.Pool>(READ_SIDE);
    },
    readiness: () => app.get<Readiness>(READINESS),
  };

  beforeAll(async () => {
    db = await freshDatabase('scs_conn_loss');
    dataDir = mkdtempSync(join(tmpdir(), 'scs-conn-loss-'));
    const env = { NODE_ENV: 'test', DATABASE_URL: db.url, SCS_API_KEY: 'test-key-0123456789abcdef' };
    const config = loadConfig(env, { dataDir });
    app = await createAppContext(config, silentLogger);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a checked-out connection of each pool survives its session being ended between two queries', async () => {
    // As an append holds its connection between BEGIN and the next statement: no query is running, so
    // the driver can only report the loss as an 'error' event on the client.
    const central = await runtime.pool.connect();
    const readSide = await runtime.readSide.connect();
    // The registry's connections are TypeORM's, held through a query runner (which releases one it loses).
    const runner = runtime.dataSource.createQueryRunner();
    const registry = (await runner.connect()) as pg.PoolClient;
    await central.query('BEGIN');
    await readSide.query('SELECT 1');
    await registry.query('SELECT 1');
    // Not events.once: it would listen for 'error' itself while it waits.
    const clients = [central, readSide, registry];
    const ended = Promise.all(clients.map((c) => new Promise<void>((resolve) => c.on('end', resolve))));
    expect(await terminateSessions(db.name)).toBeGreaterThanOrEqual(2);
    await ended;
    await new Promise((r) => setImmediate(r));

    for (const client of clients) {
      const error = await client.query('SELECT 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
      if (client !== registry) client.release(error as Error);
    }
    await runner.release();
    // The pools make new connections, and the service reads again.
    expect((await runtime.pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    expect(await runtime.readiness().check()).toEqual({ database: { ok: true }, eventStore: { ok: true } });
  });
});
