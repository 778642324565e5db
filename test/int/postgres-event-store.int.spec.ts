import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RecordedEvent } from '../../src/ports/event-store.port.js';
import type { AppLogger } from '../../src/ports/logger.port.js';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { readPageStatement } from '../../src/adapters/event-store/postgres/read-page-statement.js';
import { NO_APPENDS_APPLICATION } from '../../src/adapters/postgres/central-database.js';
import { freshDatabase, serverUrl, urlForDatabase } from '../support/databases.js';
import { applyEventStoreSchema as migrate, ev, sleep, unique, until } from '../support/event-store-fixtures.js';

function recordingLogger(): AppLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** The node types that read scs_events in an EXPLAIN (FORMAT JSON) plan. */
function scansOfEvents(plan: Array<{ Plan: PlanNode }>): string[] {
  const walk = (node: PlanNode): string[] => [
    ...(node['Relation Name'] === 'scs_events' ? [node['Node Type']] : []),
    ...(node.Plans ?? []).flatMap(walk),
  ];
  return plan.flatMap((p) => walk(p.Plan));
}

/** What only the PostgreSQL adapter does; the cases every adapter shares are in test/contract. */
describe('PostgresEventStore', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await freshDatabase('scs_es');
    await migrate(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 25 });
    pool.on('error', () => undefined); // a terminated idle client must not crash the test run
    store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
  });

  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('refuses an event id stored anywhere in the store: ids are unique here, not only per retry', async () => {
    const stream = `${unique('ids')}s`;
    const id = randomUUID();
    await store.append(stream, [ev('One', {}, id)], 'no_stream');
    await expect(store.append(stream, [ev('One', {}, id), ev('Two', {}, randomUUID())], 0)).rejects.toMatchObject({
      code: '23505',
    });
    await expect(store.append(`${stream}-other`, [ev('One', {}, id)], 'no_stream')).rejects.toMatchObject({
      code: '23505',
    });
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['One']);
  });

  it('appends in one statement, its own transaction: one round trip, refused ones too', async () => {
    const sent: string[] = [];
    const counted = new pg.Pool({ connectionString: db.url, max: 1 });
    counted.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (text: unknown, ...rest: unknown[]) => {
        sent.push(typeof text === 'string' ? text : String((text as { text?: unknown }).text));
        return query(text, ...rest);
      };
    });
    const own = new PostgresEventStore({ pool: counted });
    const stream = `${unique('trips')}s`;
    try {
      await own.append(stream, [ev('One')], 'no_stream');
      await own.append(stream, [ev('Two'), ev('Three')], 0);
      expect(sent).toHaveLength(2);
      expect(sent.every((text) => /scs_append/.test(text))).toBe(true);
      // Refused: the answer names the current revision, still in one statement.
      await expect(own.append(stream, [ev('Four')], 0)).rejects.toMatchObject({ actual: 2 });
      expect(sent).toHaveLength(3);
      expect((await own.readStream(stream)).map((e) => e.type)).toEqual(['One', 'Two', 'Three']);
    } finally {
      await own.close();
      await counted.end();
    }
  });

  it('delivers a transaction that commits late, which a reader by sequence number alone skips', async () => {
    const prefix = unique('late');
    const sequenceReader = async (after: bigint) =>
      (
        await pool.query<{ pos: string }>(
          'SELECT global_position::text AS pos FROM scs_events WHERE starts_with(stream_id, $1) AND global_position > $2 ORDER BY global_position',
          [prefix, after.toString()],
        )
      ).rows.map((r) => BigInt(r.pos));
    const received: RecordedEvent[] = [];
    const clientA = await pool.connect();
    try {
      await clientA.query('BEGIN');
      const a = await store.appendWithClient(clientA, `${prefix}a`, [ev('A')], 'no_stream');
      const b = await store.append(`${prefix}b`, [ev('B')], 'no_stream');
      expect(a.position.prepare < b.position.prepare).toBe(true); // A took its sequence number first

      // The trap: a sequence reader now sees only B and moves its cursor past A's number.
      expect(await sequenceReader(0n)).toEqual([b.position.prepare]);
      const sequenceCursor = b.position.prepare;

      const subscription = store.subscribeToAll({ streamPrefix: prefix, handler: async (e) => void received.push(e) });
      try {
        await sleep(600); // an absence check: a dozen polls, and B's notification, come and go
        expect(received).toEqual([]);
        expect(await store.readAll({ streamPrefix: prefix })).toEqual([]);

        await clientA.query('COMMIT');
        await until(
          () => received.length,
          (n) => n >= 2,
        );
        expect(received.map((e) => e.type)).toEqual(['A', 'B']);
        expect(received.map((e) => e.position)).toEqual([a.position, b.position]);
        // A arrived although its sequence number lies behind a cursor a sequence reader had already passed...
        expect(received[0].position.prepare < sequenceCursor).toBe(true);
        // ...and that reader never sees it.
        expect(await sequenceReader(sequenceCursor)).toEqual([]);

        await store.append(`${prefix}c`, [ev('C')], 'no_stream');
        await until(
          () => received.length,
          (n) => n >= 3,
        );
        await sleep(150);
        expect(received.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      } finally {
        await subscription.stop();
      }
    } finally {
      await clientA.query('ROLLBACK').catch(() => undefined);
      clientA.release();
    }
  });

  it('delivers an event held back by an older transaction of its database soon after that one ends', async () => {
    // A poll of a second: the end of the older transaction notifies nobody, so only the store's own
    // look-again delivers within the bound below (before it did, the event waited out the poll).
    const own = new PostgresEventStore({ pool, pollIntervalMs: 1_000 });
    const older = new pg.Client({ connectionString: db.url }); // as a projection writing its rows holds it
    await older.connect();
    const stream = `${unique('held')}s`;
    const received: number[] = [];
    let subscription: { stop(): Promise<void> } | undefined;
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()'); // takes a transaction id: the horizon stops there
      await store.append(stream, [ev('Held')], 'no_stream');
      subscription = own.subscribeToAll({ streamPrefix: stream, handler: async () => void received.push(Date.now()) });
      await sleep(200);
      expect(received).toEqual([]); // committed, but above the horizon
      const ended = Date.now();
      await older.query('COMMIT');
      await until(
        () => received.length,
        (n) => n === 1,
        5_000,
      );
      expect(received[0] - ended).toBeLessThan(400);
    } finally {
      await older.query('ROLLBACK').catch(() => undefined);
      await older.end();
      await subscription?.stop();
      await own.close();
    }
  });

  /**
   * Appends while `older` holds a transaction that took its id first, and expects a subscription with a
   * poll of a minute to deliver the event within 2 s: only a horizon that leaves `older` out does. Then
   * `whileOpen` runs, the transaction still open.
   */
  async function deliveredDespite(older: pg.Client, name: string, whileOpen: (stream: string) => Promise<void>) {
    const own = new PostgresEventStore({ pool, pollIntervalMs: 60_000 });
    await older.connect();
    const stream = `${unique(name)}s`;
    const received: string[] = [];
    let subscription: { stop(): Promise<void> } | undefined;
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()'); // older than the append below, still running
      await store.append(stream, [ev('Appended')], 'no_stream');
      // Subscribed after the append: its first read delivers it, with no notification to wait for.
      subscription = own.subscribeToAll({ streamPrefix: stream, handler: async (e) => void received.push(e.type) });
      await until(
        () => received.length,
        (n) => n === 1,
        2_000,
      );
      expect(received).toEqual(['Appended']);
      await whileOpen(stream);
    } finally {
      await older.query('ROLLBACK').catch(() => undefined);
      await older.end();
      await subscription?.stop();
      await own.close();
    }
  }

  it('is not held back by a transaction of another database, which cannot add events', async () => {
    // As a CREATE DATABASE of a tenant, run from the maintenance database.
    await deliveredDespite(new pg.Client({ connectionString: serverUrl() }), 'elsewhere', async (stream) => {
      expect((await store.readAll({ streamPrefix: stream })).map((e) => e.type)).toEqual(['Appended']);
      expect(await store.headPosition()).toBeDefined();
    });
  });

  it('is not held back by a transaction of a session that may not append (scs-no-appends: a projection writing)', async () => {
    // Before, every projection's write held the other subscribers back until it committed.
    const projection = new pg.Client({ connectionString: db.url, application_name: NO_APPENDS_APPLICATION });
    await deliveredDespite(projection, 'noappends', async (stream) => {
      // The same session under any other name counts again (the gap-free guarantee of the test above).
      await projection.query(`SET application_name = 'someone'`);
      expect(await store.readAll({ streamPrefix: stream })).toEqual([]);
    });
  });

  it('refuses an append from a session named scs-no-appends, whose transactions the subscriptions do not wait for', async () => {
    const named = new pg.Client({ connectionString: db.url, application_name: NO_APPENDS_APPLICATION });
    await named.connect();
    const stream = `${unique('refused')}s`;
    try {
      await expect(store.appendWithClient(named, stream, [ev('Refused')], 'no_stream')).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('scs-no-appends may not append events'),
      });
      await expect(
        named.query(
          `INSERT INTO scs_events (event_id, stream_id, revision, type, data, metadata)
                     VALUES ($1, $2, 0, 'Raw', '{}', '{}')`,
          [randomUUID(), stream],
        ),
      ).rejects.toMatchObject({ code: '42501' });
      expect(await store.readStream(stream)).toEqual([]);
      await store.append(stream, [ev('Allowed')], 'no_stream'); // the store's own sessions append as before
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['Allowed']);
    } finally {
      await named.end();
    }
  });

  it('looks for new and held-back events through the index, not a scan of the whole log', async () => {
    // A subscription looks after every append it is woken by: a scan of scs_events each time made a
    // burst cost O(events) per look (seen as 1,898 sequential scans, 1.05 M rows read, for 100 schools).
    const own = await freshDatabase('scs_es_plan');
    const client = new pg.Client({ connectionString: own.url });
    await client.connect();
    try {
      await migrate(own.url);
      await client.query(`INSERT INTO scs_events (event_id, stream_id, revision, type, data, metadata)
        SELECT gen_random_uuid(), 'school-' || (g / 10), g % 10, 'Counted', '{}', '{}' FROM generate_series(0, 19999) g`);
      await client.query('ANALYZE scs_events');
      const last = (
        await client.query<{ tx: string; pos: string }>(
          'SELECT transaction_id::text AS tx, max(global_position)::text AS pos FROM scs_events GROUP BY 1',
        )
      ).rows[0];
      const after = { commit: BigInt(last.tx), prepare: BigInt(last.pos) - 5n };
      for (const options of [{ streamPrefix: 'school-' }, { after, streamPrefix: 'school-' }, { after }]) {
        const { text, params } = readPageStatement({ ...options, maxCount: 500 }, true);
        const plan = (await client.query(`EXPLAIN (FORMAT JSON) ${text}`, params)).rows[0]['QUERY PLAN'];
        expect(scansOfEvents(plan)).toEqual(expect.arrayContaining(['Index Scan']));
        expect(scansOfEvents(plan)).not.toContain('Seq Scan');
      }
    } finally {
      await client.end();
      await own.drop();
    }
  });

  it('listens again after losing its LISTEN connection, and logs it', async () => {
    const app = `scs_listener_${randomBytes(3).toString('hex')}`;
    const ownPool = new pg.Pool({ connectionString: db.url, application_name: app, max: 3 });
    ownPool.on('error', () => undefined);
    const logger = recordingLogger();
    // A poll of a minute: anything delivered within seconds came through a notification.
    const own = new PostgresEventStore({ pool: ownPool, pollIntervalMs: 60_000, logger });
    const listeners = async () =>
      (
        await pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN scs_events'`,
          [app],
        )
      ).rows.map((r) => r.pid);
    const stream = `${unique('listen')}s`;
    const received: string[] = [];
    const subscription = own.subscribeToAll({ streamPrefix: stream, handler: async (e) => void received.push(e.type) });
    try {
      const [first] = await until(listeners, (pids) => pids.length === 1);
      await store.append(stream, [ev('One')], 'no_stream');
      await until(
        () => received.length,
        (n) => n === 1,
        5_000,
      );

      await pool.query('SELECT pg_terminate_backend($1)', [first]);
      await until(listeners, (pids) => pids.length === 1 && pids[0] !== first);
      expect(logger.warnings.some((w) => w.includes('connection lost'))).toBe(true);
      await store.append(stream, [ev('Two')], 0);
      await until(
        () => received.length,
        (n) => n === 2,
        5_000,
      );
      expect(received).toEqual(['One', 'Two']);
    } finally {
      await subscription.stop();
      await own.close();
      await ownPool.end();
    }
    expect(await listeners()).toEqual([]);
  });

  it('keeps retrying reads while the database is unreachable, then delivers', async () => {
    const name = `scs_es_late_${randomBytes(5).toString('hex')}`;
    const latePool = new pg.Pool({ connectionString: urlForDatabase(name), max: 3 });
    latePool.on('error', () => undefined);
    const logger = recordingLogger();
    const late = new PostgresEventStore({ pool: latePool, pollIntervalMs: 50, logger });
    const received: string[] = [];
    const errors: unknown[] = [];
    const subscription = late.subscribeToAll({
      handler: async (e) => void received.push(e.type),
      onError: (e) => errors.push(e),
    });
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    try {
      await until(
        () => logger.warnings.filter((w) => w.includes('reading failed')).length,
        (n) => n >= 2,
      );
      // Made and migrated under another name, then renamed: the subscription must never see the database
      // without its tables (a missing table is a permanent error, which would end it).
      await admin.query(`CREATE DATABASE "${name}_prep"`);
      await migrate(urlForDatabase(`${name}_prep`));
      await admin.query(`ALTER DATABASE "${name}_prep" RENAME TO "${name}"`);
      await late.append('late-s', [ev('Late')], 'no_stream');
      await until(
        () => received.length,
        (n) => n === 1,
        15_000,
      );
      expect(errors).toEqual([]);
    } finally {
      await subscription.stop();
      await late.close();
      await latePool.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('reads a page of a stream prefix with work bounded by the page, not the store, on a table without statistics', async () => {
    // A store just filled or restored has no planner statistics: the prefix filter's selectivity is then
    // a guess, and a plan that sorts every event after the position made each page cost the whole store.
    const fresh = await freshDatabase('scs_es_window');
    const own = new pg.Pool({ connectionString: fresh.url, max: 2 });
    try {
      await migrate(fresh.url);
      await own.query('ALTER TABLE scs_events SET (autovacuum_enabled = false)');
      await own.query(
        `INSERT INTO scs_events (event_id, stream_id, revision, type, data, metadata)
         SELECT gen_random_uuid(), CASE WHEN i % 10 = 9 THEN 'other-' ELSE 'school-' END || (i / 10), i % 10, 'E',
                jsonb_build_object('i', i), '{}'
         FROM generate_series(0, 59999) i`,
      );
      const statements: Array<{ text: string; values: unknown[] }> = [];
      const query = own.query.bind(own) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
      const recording = Object.assign(Object.create(own) as pg.Pool, {
        query: (text: string, values: unknown[] = []) => {
          statements.push({ text, values });
          return query(text, values);
        },
      });
      const windowed = new PostgresEventStore({ pool: recording });
      const start = (await windowed.readAll({ maxCount: 1000 })).at(-1)!.position;
      statements.length = 0;
      const page = await windowed.readAll({ after: start, maxCount: 100, streamPrefix: 'school-' });

      const expected = await own.query<{ i: number }>(
        `SELECT (data->>'i')::int AS i FROM scs_events WHERE global_position > $1 AND stream_id LIKE 'school-%'
         ORDER BY global_position LIMIT 100`,
        [start.prepare.toString()],
      );
      expect(page.map((e) => e.data.i)).toEqual(expected.rows.map((r) => r.i));
      let examined = 0;
      const reads = statements.filter((s) => /^\s*SELECT[\s\S]*FROM scs_events/.test(s.text));
      for (const { text, values } of reads) {
        const [{ 'QUERY PLAN': plans }] = (await query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values)).rows;
        examined += rowsExamined(plans[0].Plan);
      }
      expect(reads.length).toBeGreaterThan(0);
      expect(examined).toBeLessThan(10_000); // of the 59,000 events after the position
    } finally {
      await own.end();
      await fresh.drop();
    }
  });

  it('pings, and close() stops its subscriptions but leaves the pool to its owner', async () => {
    const own = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    await expect(own.ping()).resolves.toBeUndefined();
    const stream = `${unique('close')}s`;
    const received: string[] = [];
    own.subscribeToAll({ streamPrefix: stream, handler: async (e) => void received.push(e.type) });
    await own.append(stream, [ev('Before')], 'no_stream');
    await until(
      () => received.length,
      (n) => n === 1,
    );
    await own.close();
    await store.append(stream, [ev('After')], 0);
    await sleep(300);
    expect(received).toEqual(['Before']);
    expect(() => own.subscribeToAll({ handler: async () => undefined })).toThrow(/closed/);
    await expect(own.readStream(stream)).resolves.toHaveLength(2);

    const nowhere = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 1000,
    });
    await expect(new PostgresEventStore({ pool: nowhere }).ping()).rejects.toThrow();
    await nowhere.end();
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans of scs_events read (returned or filtered out), over all their loops. */
function rowsExamined(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'scs_events'
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
        node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsExamined(child), 0);
}
