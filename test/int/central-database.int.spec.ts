import pg from 'pg';
import { silentLogger } from '../../src/ports/logger.port.js';
import {
  bindEventStore,
  EventStoreMismatchError,
  prepareCentralDatabase,
} from '../../src/adapters/postgres/central-database.js';
import { freshDatabase } from '../support/databases.js';

describe('central database: bound to one event store kind', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await freshDatabase('scs_central');
    await prepareCentralDatabase(db.url, silentLogger);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('binds on first start, accepts the same kind again, and refuses the other with a message that says what to do', async () => {
    expect((await pool.query('SELECT count(*)::int AS n FROM scs_event_store_binding')).rows[0].n).toBe(0);
    await bindEventStore(pool, 'eventstoredb');
    await bindEventStore(pool, 'eventstoredb');
    const refused = bindEventStore(pool, 'postgres');
    await expect(refused).rejects.toBeInstanceOf(EventStoreMismatchError);
    await expect(refused).rejects.toThrow(
      /built from the eventstoredb event store.*set EVENTSTORE_CONNECTION_STRING again, or start on a new central database/,
    );
    expect((await pool.query('SELECT kind FROM scs_event_store_binding')).rows).toEqual([{ kind: 'eventstoredb' }]);
  });

  it('lets only one kind win when replicas of both start at once', async () => {
    await pool.query('DELETE FROM scs_event_store_binding');
    const results = await Promise.allSettled(
      (['postgres', 'eventstoredb', 'postgres', 'eventstoredb'] as const).map((kind) => bindEventStore(pool, kind)),
    );
    const bound = (await pool.query('SELECT kind FROM scs_event_store_binding')).rows[0].kind;
    expect(results.map((r) => r.status)).toEqual(
      ['postgres', 'eventstoredb', 'postgres', 'eventstoredb'].map((kind) =>
        kind === bound ? 'fulfilled' : 'rejected',
      ),
    );
  });
});
