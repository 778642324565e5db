import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { AppLogger } from '../../src/application/ports/logger.port.js';
import type { PostgresEventStore } from '../../src/infrastructure/event-store/postgres/postgres-event-store.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { centralFixture, type CentralFixture } from '../support/central-fixture.js';
import { ev, unique, until } from '../support/event-store-fixtures.js';

/** The runner against PostgreSQL: its lane of projections, one transaction per batch, and a failing member. */
describe('ProjectionRunner', () => {
  let central: CentralFixture;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const logs: string[] = [];
  const logger: AppLogger = { log: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };

  beforeAll(async () => {
    central = await centralFixture('scs_runner', logger);
    ({ pool, store, dataSource } = central);
    await pool.query('CREATE TABLE runner_rows (projection text, event_id uuid, type text)');
  });

  afterAll(async () => {
    await central?.close();
  });

  /** A projection writing one row per event; `poisoned` makes it throw on events of type Poison. */
  function probe(name: string, streamPrefix: string, poisoned = { on: false }): Projection {
    return {
      name,
      tables: ['runner_rows'],
      streamPrefix,
      async apply(manager: EntityManager, _tables, events: RecordedEvent[]) {
        if (poisoned.on && events.some((e) => e.type === 'Poison')) throw new Error(`${name} cannot digest Poison`);
        for (const e of events)
          await manager.query('INSERT INTO runner_rows VALUES ($1, $2, $3)', [name, e.id, e.type]);
      },
    };
  }

  const rowsOf = async (projection: string) =>
    (await pool.query('SELECT type FROM runner_rows WHERE projection = $1 ORDER BY type', [projection])).rows.map(
      (r: { type: string }) => r.type,
    );

  it('applies a batch to every projection it holds in one transaction, with their checkpoints', async () => {
    const prefix = unique('lane');
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    const runner = new ProjectionRunner([probe(a, prefix), probe(b, prefix)], store, dataSource, logger);
    await runner.start();
    try {
      const { position } = await store.append(`${prefix}1`, [ev('First'), ev('Second')], 'no_stream');
      const checkpoints = await until(
        () =>
          pool
            .query(
              'SELECT name, commit_position::text AS c, xmin::text AS x FROM scs_checkpoints WHERE name = ANY($1)',
              [[a, b]],
            )
            .then((r) => r.rows as Array<{ name: string; c: string; x: string }>),
        (rows) => rows.length === 2 && rows.every((r) => r.c === position.commit.toString()),
        5_000,
      );
      expect(await rowsOf(a)).toEqual(['First', 'Second']);
      expect(await rowsOf(b)).toEqual(['First', 'Second']);
      // One transaction wrote both projections' rows and both checkpoints (each was its own before).
      const writers = await pool.query('SELECT DISTINCT xmin::text AS x FROM runner_rows WHERE projection = ANY($1)', [
        [a, b],
      ]);
      expect(writers.rows.map((r: { x: string }) => r.x)).toEqual([checkpoints[0].x]);
      expect(checkpoints[1].x).toBe(checkpoints[0].x);
    } finally {
      await runner.stop();
    }
  });

  it('lets the others go on when one projection fails; that one starts again alone from its checkpoint', async () => {
    const prefix = unique('fail');
    const [healthy, failing] = [`${prefix}healthy`, `${prefix}failing`];
    const poisoned = { on: true };
    const runner = new ProjectionRunner(
      [probe(healthy, prefix), probe(failing, prefix, poisoned)],
      store,
      dataSource,
      logger,
    );
    await runner.start();
    try {
      await store.append(`${prefix}1`, [ev('Poison')], 'no_stream');
      await store.append(`${prefix}2`, [ev('After')], 'no_stream');
      await until(
        () => rowsOf(healthy),
        (rows) => rows.length === 2,
        5_000,
      );
      expect(await rowsOf(healthy)).toEqual(['After', 'Poison']);
      expect(await rowsOf(failing)).toEqual([]);
      // Recorded by the runner without holding the lane up: looked for until it is there.
      const lastError = await until(
        () =>
          pool
            .query('SELECT last_error FROM scs_projections WHERE name = $1', [failing])
            .then((r) => r.rows[0]?.last_error as string | undefined),
        (error) => error !== undefined && error !== null,
        5_000,
      );
      expect(lastError).toBe(`${failing} cannot digest Poison`);
      expect(logs).toContain(
        `projection ${failing} stopped: ${failing} cannot digest Poison; starting it again in 2 s`,
      );
      expect(logs.some((m) => m.startsWith(`projection ${healthy} stopped`))).toBe(false);

      poisoned.on = false; // fixed: it resumes from its own checkpoint, alone, and misses nothing
      await until(
        () => rowsOf(failing),
        (rows) => rows.length === 2,
        10_000,
      );
      expect(await rowsOf(failing)).toEqual(['After', 'Poison']);
      await store.append(`${prefix}3`, [ev('Later')], 'no_stream');
      await until(
        () => Promise.all([rowsOf(healthy), rowsOf(failing)]),
        ([h, f]) => h.length === 3 && f.length === 3,
        5_000,
      );
    } finally {
      await runner.stop();
    }
  });
});
