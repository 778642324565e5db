import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppLogger } from '../../src/application/ports/logger.port.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres/postgres-event-store.js';
import { prepareCentralDatabase } from '../../src/infrastructure/postgres/central-database.js';
import { freshDatabase } from './databases.js';

export interface CentralFixture {
  url: string;
  pool: pg.Pool;
  store: PostgresEventStore;
  dataSource: DataSource;
  close(): Promise<void>;
}

/** A fresh central database (every central migration), its event store on a pool, and a DataSource. */
export async function centralFixture(prefix: string, logger: AppLogger): Promise<CentralFixture> {
  const db = await freshDatabase(prefix);
  await prepareCentralDatabase(db.url, logger);
  const pool = new pg.Pool({ connectionString: db.url, max: 5 });
  const store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  const dataSource = new DataSource({
    type: 'postgres',
    url: db.url,
    entities: [],
    synchronize: false,
    extra: { max: 4 },
  });
  await dataSource.initialize();
  return {
    url: db.url,
    pool,
    store,
    dataSource,
    async close() {
      await dataSource.destroy();
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}
