import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { useCentralFixture } from '../support/central-fixture.js';
import { ev, unique, until } from '../support/event-store-fixtures.js';

/** The runner against PostgreSQL: its lane of projections, one transaction per batch, and a failing member. */
describe('ProjectionRunner', () => {
  const central = useCentralFixture('scs_runner');

  beforeAll(async () => {
    await central.pool.query('CREATE TABLE runner_rows (projection text, event_id uuid, type text)');
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
    (
      await central.pool.query('SELECT type FROM runner_rows WHERE projection = $1 ORDER BY type', [projection])
    ).rows.map((r: { type: string }) => r.type);

  it('applies a batch to every projection it holds in one transaction, with their checkpoints', async () => {
    const prefix = unique('lane');
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    const runner = new ProjectionRunner(
      [probe(a, prefix), probe(b, prefix)],
      central.store,
      central.dataSource,
      central.logger,
    );
    await runner.start();
    try {
      const { position } = await central.store.append(`${prefix}1`, [ev('First'), ev('Second')], 'no_stream');
      const checkpoints = await until(
        () =>
          central.pool
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
      const writers = await central.pool.query(
        'SELECT DISTINCT xmin::text AS x FROM runner_rows WHERE projection = ANY($1)',
        [[a, b]],
      );
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
      central.store,
      central.dataSource,
      central.logger,
    );
    await runner.start();
    try {
      await central.store.append(`${prefix}1`, [ev('Poison')], 'no_stream');
      await central.store.append(`${prefix}2`, [ev('After')], 'no_stream');
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
          central.pool
            .query('SELECT last_error FROM scs_projections WHERE name = $1', [failing])
            .then((r) => r.rows[0]?.last_error as string | undefined),
        (error) => error !== undefined && error !== null,
        5_000,
      );
      expect(lastError).toBe(`${failing} cannot digest Poison`);
      expect(central.logs).toContain(
        `projection ${failing} stopped: ${failing} cannot digest Poison; starting it again in 2 s`,
      );
      expect(central.logs.some((m) => m.startsWith(`projection ${healthy} stopped`))).toBe(false);

      poisoned.on = false; // fixed: it resumes from its own checkpoint, alone, and misses nothing
      await until(
        () => rowsOf(failing),
        (rows) => rows.length === 2,
        10_000,
      );
      expect(await rowsOf(failing)).toEqual(['After', 'Poison']);
      await central.store.append(`${prefix}3`, [ev('Later')], 'no_stream');
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
