import type { RecordedEvent } from '../../src/ports/event-store.port.js';
import type { Projection } from '../../src/projections/projection.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import type { Queryable } from '../../src/projections/queryable.js';
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
      async apply(db: Queryable, _tables, events: RecordedEvent[]) {
        if (poisoned.on && events.some((e) => e.type === 'Poison')) throw new Error(`${name} cannot digest Poison`);
        for (const e of events) await db.query('INSERT INTO runner_rows VALUES ($1, $2, $3)', [name, e.id, e.type]);
      },
    };
  }

  /** The error the runner recorded for a projection, looked for until it is there (recorded off the lane). */
  const recordedError = (projection: string) =>
    until(
      () =>
        central.pool
          .query('SELECT last_error FROM scs_projections WHERE name = $1', [projection])
          .then((r) => r.rows[0]?.last_error as string | undefined | null),
      (error): error is string => typeof error === 'string',
      5_000,
    );

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
      central.readSide,
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
      central.readSide,
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
      const lastError = await recordedError(failing);
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

  /** A projection that reads once through `db` and writes its events through `context.writes`. */
  function writer(name: string, streamPrefix: string, table: string, badOn?: string): Projection {
    return {
      name,
      tables: [table],
      streamPrefix,
      async apply(db: Queryable, _tables, events: RecordedEvent[], { writes }) {
        await db.query(`SELECT count(*) FROM ${table}`);
        const bad = badOn !== undefined && events.some((e) => e.type === badOn);
        await writes.add({
          table,
          text: bad
            ? `INSERT INTO ${table} (no_such_column) VALUES ($1)`
            : `INSERT INTO ${table} (event_id, type) SELECT * FROM unnest($1::uuid[], $2::text[])`,
          params: bad ? [1] : [events.map((e) => e.id), events.map((e) => e.type)],
        });
      },
    };
  }

  /** Counts the statements sent on the read side's connections while `counting.on` is set. */
  function countStatements(): { on: boolean; count: number } {
    const counting = { on: false, count: 0 };
    const pool = central.readSide;
    const wrapped = new WeakSet<object>();
    pool.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        if (counting.on) counting.count++;
        return query(...args);
      };
    });
    return counting;
  }

  const rowsTable = (projection: string) => `${projection.replace(/\W/g, '_')}_rows`;
  const typesIn = async (table: string) =>
    (await central.pool.query(`SELECT type FROM ${table} ORDER BY type`)).rows.map((r: { type: string }) => r.type);

  it('sends a batch in five round trips: BEGIN with the locks, a read per member, the writes and checkpoints as one, COMMIT', async () => {
    const prefix = unique('trips');
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    for (const name of [a, b]) await central.pool.query(`CREATE TABLE ${rowsTable(name)} (event_id uuid, type text)`);
    const counting = countStatements();
    const runner = new ProjectionRunner(
      [writer(a, prefix, rowsTable(a)), writer(b, prefix, rowsTable(b))],
      central.store,
      central.readSide,
      central.logger,
    );
    await runner.start();
    try {
      // The first batch also makes the checkpoint rows; the second is every batch after it.
      await central.store.append(`${prefix}1`, [ev('Warm')], 'no_stream');
      await until(
        () => typesIn(rowsTable(b)),
        (types) => types.length === 1,
        5_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 100)); // the lane's start has recorded its state
      counting.on = true;
      await central.store.append(`${prefix}2`, [ev('Second')], 'no_stream');
      await until(
        () => typesIn(rowsTable(b)),
        (types) => types.length === 2,
        5_000,
      );
      counting.on = false;
      expect(await typesIn(rowsTable(a))).toEqual(['Second', 'Warm']);
      expect(counting.count).toBe(5);
    } finally {
      await runner.stop();
    }
  });

  it('names the member whose gathered write failed: it leaves the lane, the others go on', async () => {
    const prefix = unique('badwrite');
    const [healthy, failing] = [`${prefix}healthy`, `${prefix}failing`];
    for (const name of [healthy, failing])
      await central.pool.query(`CREATE TABLE ${rowsTable(name)} (event_id uuid, type text)`);
    const runner = new ProjectionRunner(
      [writer(healthy, prefix, rowsTable(healthy)), writer(failing, prefix, rowsTable(failing), 'BadWrite')],
      central.store,
      central.readSide,
      central.logger,
    );
    await runner.start();
    try {
      await central.store.append(`${prefix}1`, [ev('BadWrite')], 'no_stream');
      await central.store.append(`${prefix}2`, [ev('After')], 'no_stream');
      await until(
        () => typesIn(rowsTable(healthy)),
        (types) => types.length === 2,
        5_000,
      );
      expect(await typesIn(rowsTable(healthy))).toEqual(['After', 'BadWrite']);
      expect(await typesIn(rowsTable(failing))).toEqual([]);
      const lastError = await recordedError(failing);
      expect(lastError).toContain('no_such_column');
      expect(central.logs.some((m) => m.startsWith(`projection ${healthy} stopped`))).toBe(false);
    } finally {
      await runner.stop();
    }
  });

  it('commits a batch synchronously: a batch the lane saw committed is on disk', async () => {
    const prefix = unique('sync');
    const settings: string[] = [];
    const probeSetting: Projection = {
      name: `${prefix}p`,
      tables: [],
      streamPrefix: prefix,
      async apply(db: Queryable) {
        const {
          rows: [row],
        } = await db.query<{ s: string }>(`SELECT current_setting('synchronous_commit') AS s`);
        settings.push(row.s);
      },
    };
    const runner = new ProjectionRunner([probeSetting], central.store, central.readSide, central.logger);
    await runner.start();
    try {
      await central.store.append(`${prefix}1`, [ev('One')], 'no_stream');
      await until(
        async () => settings,
        (seen) => seen.length === 1,
        5_000,
      );
      expect(settings).toEqual(['on']);
    } finally {
      await runner.stop();
    }
  });

  // As after a crash of the database (or a failover) that lost a batch whose COMMIT had returned: its rows
  // and its checkpoint are gone together, while the lane goes on from where its subscription was.
  it('applies again the events of a committed batch the database lost (its checkpoint went back)', async () => {
    const prefix = unique('lost');
    const name = `${prefix}p`;
    const runner = new ProjectionRunner([probe(name, prefix)], central.store, central.readSide, central.logger);
    await runner.start();
    try {
      const checkpoint = () =>
        central.pool
          .query(
            'SELECT commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints WHERE name = $1',
            [name],
          )
          .then((r) => r.rows[0] as { c: string; p: string } | undefined);
      await central.store.append(`${prefix}1`, [ev('Before')], 'no_stream');
      await until(
        () => rowsOf(name),
        (rows) => rows.length === 1,
        5_000,
      );
      const before = (await checkpoint())!;
      await central.store.append(`${prefix}1`, [ev('Lost')], 'any');
      await until(
        () => rowsOf(name),
        (rows) => rows.length === 2,
        5_000,
      );

      await central.pool.query(`DELETE FROM runner_rows WHERE projection = $1 AND type = 'Lost'`, [name]);
      await central.pool.query(
        'UPDATE scs_checkpoints SET commit_position = $2, prepare_position = $3 WHERE name = $1',
        [name, before.c, before.p],
      );
      await central.store.append(`${prefix}1`, [ev('After')], 'any');

      const rows = await until(
        () => rowsOf(name),
        (found) => found.length === 3,
        10_000,
      );
      expect(rows).toEqual(['After', 'Before', 'Lost']);
      expect(central.logs.some((m) => m.includes(`the checkpoint of ${name}`) && m.includes('was lost'))).toBe(true);
    } finally {
      await runner.stop();
    }
  });
});
