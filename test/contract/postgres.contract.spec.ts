import pg from 'pg';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { freshDatabase, withClient, serverUrl } from '../support/databases.js';
import { applyEventStoreSchema } from '../support/event-store-fixtures.js';
import { eventStoreContract } from './event-store.contract.js';

eventStoreContract('postgres', async () => {
  const db = await freshDatabase('scs_contract_pg');
  await applyEventStoreSchema(db.url);
  // Fewer connections than the contract's 20 concurrent appenders (production has 10), and a wait for
  // one short enough that a pool deadlock fails the case instead of hanging it.
  const pool = new pg.Pool({ connectionString: db.url, max: 5, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined); // a connection ended by the outage must not crash the run
  const store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  return {
    store,
    // The store's database refuses connections and loses the ones it had, then comes back.
    outage: (ms) =>
      withClient(serverUrl(), async (admin) => {
        await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS false`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db.name]);
        await new Promise((resolve) => setTimeout(resolve, ms));
        await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`);
      }),
    async close() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
});
