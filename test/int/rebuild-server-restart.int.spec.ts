import pg from 'pg';
import type { EventStore } from '../../src/ports/event-store.port.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { prepareCentralDatabase } from '../../src/adapters/postgres/central-database.js';
import { guardPool } from '../../src/adapters/postgres/connection-faults.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { schoolReadModel } from '../../src/school/view/school-projection.js';
import { testMetadata } from '../support/event-store-fixtures.js';
import { provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';
import { KillablePostgres } from '../support/killable-postgres.js';

// A rebuild's shadow pages commit asynchronously: a server restart can lose the last of them while the
// rebuild goes on with new connections. On a server of this test's own (it is killed), the rebuild is
// made to outlive a restart between its fill and its swap: it must swap nothing and fail.
describe('rebuild: a server restart between the fill and the swap', () => {
  let server: KillablePostgres;
  let url: string;
  const pools: pg.Pool[] = [];
  let readSide: pg.Pool;
  const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };

  const storeOn = () => {
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return new PostgresEventStore({ pool, pollIntervalMs: 50 });
  };
  const crashAndRestart = async () => {
    server.kill();
    await server.restart();
  };

  beforeAll(async () => {
    server = await KillablePostgres.start('scs-pg-rebuild');
    await server.createDatabase('scs');
    url = server.url('scs');
    await prepareCentralDatabase(url, logger);
    readSide = guardPool(new pg.Pool({ connectionString: url, max: 4 }), 'read side');
    const stored = provisionedSchool().map((e) => ({
      type: e.type,
      data: e.data as Record<string, unknown>,
      metadata: testMetadata,
    }));
    await storeOn().append(schoolStreamId(SCHOOL_ID), stored, 'no_stream');
  }, 120_000);
  afterAll(async () => {
    await readSide?.end().catch(() => undefined);
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await server?.remove();
  }, 60_000);

  it('swaps nothing and fails when the server restarted after its shadow pages were written', async () => {
    const first = storeOn();
    let restarted: Promise<void> | undefined;
    let reads = 0;
    // The fill reads a page, asks for the next one while it writes this one, and reports the page once
    // it is committed: the server is crashed then, and the next read waits for it to be back.
    const store = {
      readAll: async (options: Parameters<EventStore['readAll']>[0]) => {
        reads++;
        if (reads === 1) return first.readAll(options);
        while (!restarted) await new Promise((r) => setTimeout(r, 10));
        await restarted;
        return storeOn().readAll(options);
      },
    } as unknown as EventStore;

    const rebuild = rebuildProjection(schoolReadModel, store, readSide, () => {
      restarted ??= crashAndRestart();
    });
    await expect(rebuild).rejects.toThrow(/the database server restarted during the rebuild/);
    expect(restarted).toBeDefined();
    // The live table was left as it was (empty): no shadow table was swapped in.
    const { rows } = await readSide.query('SELECT count(*)::int AS n FROM school_read_model');
    expect(rows[0].n).toBe(0);
  }, 120_000);
});
