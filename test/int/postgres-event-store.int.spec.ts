import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { comparePositions, WrongExpectedRevisionError, type NewEvent, type RecordedEvent } from '../../src/application/ports/event-store.port.js';
import type { AppLogger } from '../../src/application/ports/logger.port.js';
import { PostgresCheckpointStore } from '../../src/infrastructure/event-store/postgres/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../../src/infrastructure/event-store/postgres/postgres-event-store.js';
import { migrationsDir } from '../../src/infrastructure/postgres/sql-migrations.js';
import { freshDatabase, serverUrl, urlForDatabase } from '../support/databases.js';

const metadata = { actor: 'test', correlationId: 'corr-1', now: '2026-01-01T00:00:00.000Z' };
const ev = (type: string, data: Record<string, unknown> = {}, id?: string): NewEvent => ({ type, data, metadata: { ...metadata }, ...(id ? { id } : {}) });
const unique = (name: string) => `${name}_${randomBytes(4).toString('hex')}-`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `ok`: visibility waits on the cluster-wide xmin horizon, so no fixed sleep is enough. */
async function until<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value: ${String(value)}`);
    await sleep(20);
  }
}

function recordingLogger(): AppLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

async function migrate(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(readFileSync(join(migrationsDir('central'), '0001_event_store.sql'), 'utf8'));
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

describe('PostgresEventStore', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  async function readAllPaged(streamPrefix: string, maxCount = 1000): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({ after: all.at(-1)?.position, maxCount, streamPrefix });
      if (page.length === 0) return all;
      all.push(...page);
    }
  }

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

  it('appends and reads a stream back: types, data, metadata, revisions from 0', async () => {
    const stream = `${unique('school')}s`;
    const id = randomUUID();
    const result = await store.append(stream, [ev('SchoolRequested', { name: 'Green Valley', n: 1 }, id), ev('SlugReserved', { slug: 'gv' }), ev('DatabaseCreated', { nested: { ok: true } })], 'no_stream');
    expect(result.nextExpectedRevision).toBe(2);

    const events = await store.readStream(stream);
    expect(events.map((e) => [e.revision, e.type])).toEqual([[0, 'SchoolRequested'], [1, 'SlugReserved'], [2, 'DatabaseCreated']]);
    expect(events.map((e) => e.data)).toEqual([{ name: 'Green Valley', n: 1 }, { slug: 'gv' }, { nested: { ok: true } }]);
    expect(events.every((e) => e.streamId === stream && e.recordedAt instanceof Date)).toBe(true);
    expect(events[0].metadata).toEqual(metadata);
    expect(events[0].id).toBe(id);
    expect(events[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events[2].position).toEqual(result.position);
    expect(comparePositions(events[0].position, events[1].position)).toBeLessThan(0);

    expect((await store.readStream(stream, { fromRevision: 1, maxCount: 1 })).map((e) => e.type)).toEqual(['SlugReserved']);
    expect(await store.readStream(`${stream}-absent`)).toEqual([]);
  });

  it('enforces the expected revision: no_stream, a number, any, stream_exists', async () => {
    const stream = `${unique('expect')}s`;
    await store.append(stream, [ev('A'), ev('B')], 'no_stream');
    const noStream = store.append(stream, [ev('C')], 'no_stream');
    await expect(noStream).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(noStream).rejects.toMatchObject({ streamId: stream, expected: 'no_stream', actual: 1 });

    expect((await store.append(stream, [ev('C')], 1)).nextExpectedRevision).toBe(2);
    await expect(store.append(stream, [ev('D')], 1)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', expected: 1, actual: 2 });
    await expect(store.append(`${stream}-absent`, [ev('D')], 0)).rejects.toMatchObject({ expected: 0, actual: 'no_stream' });

    expect((await store.append(stream, [ev('D'), ev('E')], 'any')).nextExpectedRevision).toBe(4);
    expect((await store.append(`${stream}-any`, [ev('A')], 'any')).nextExpectedRevision).toBe(0);

    await expect(store.append(`${stream}-missing`, [ev('A')], 'stream_exists')).rejects.toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
    expect(await store.readStream(`${stream}-missing`)).toEqual([]);
    expect((await store.append(stream, [ev('F')], 'stream_exists')).nextExpectedRevision).toBe(5);
    expect((await store.readStream(stream)).map((e) => `${e.revision}${e.type}`)).toEqual(['0A', '1B', '2C', '3D', '4E', '5F']);
  });

  it('lets exactly one of 20 concurrent no_stream appends win', async () => {
    const stream = `${unique('slug')}s`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.append(stream, [ev('SlugReserved', { by: i })], 'no_stream')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost).toHaveLength(19);
    for (const { reason } of lost) {
      expect(reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(reason).toMatchObject({ expected: 'no_stream', actual: 0 });
    }
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('gives readAll every event of 10 concurrent writers exactly once, in one consistent order', async () => {
    const prefix = unique('many');
    const appended: string[] = [];
    await Promise.all(Array.from({ length: 10 }, async (_, w) => {
      for (let i = 0; i < 20; i++) {
        const events = [ev('Counted', { w, i }, randomUUID()), ev('Counted', { w, i, second: true }, randomUUID())];
        await store.append(`${prefix}${w}`, events, i === 0 ? 'no_stream' : 2 * i - 1);
        appended.push(...events.map((e) => e.id!));
      }
    }));
    const all = await until(() => readAllPaged(prefix, 37), (events) => events.length >= 400);
    expect(all).toHaveLength(400);
    expect(new Set(all.map((e) => e.id))).toEqual(new Set(appended));
    for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
    for (let w = 0; w < 10; w++) {
      expect(all.filter((e) => e.streamId === `${prefix}${w}`).map((e) => e.revision)).toEqual(Array.from({ length: 40 }, (_, r) => r));
    }
    expect((await readAllPaged(prefix, 101)).map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('answers a retried append with its first result and stores nothing twice', async () => {
    const stream = `${unique('retry')}s`;
    const first = [ev('One', {}, randomUUID()), ev('Two', {}, randomUUID())];
    const r1 = await store.append(stream, first, 'no_stream');
    await expect(store.append(stream, first, 'no_stream')).resolves.toEqual(r1);
    await expect(store.append(stream, first, 'any')).resolves.toEqual(r1);

    const next = [ev('Three', {}, randomUUID().toUpperCase())];
    const r2 = await store.append(stream, next, 1);
    await store.append(stream, [ev('Four')], 2);
    await expect(store.append(stream, next, 1)).resolves.toEqual(r2);
    // Not a retry: the same id where `expected` would not have put it, or mixed with a new event.
    await expect(store.append(stream, next, 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(store.append(stream, [next[0], ev('Five', {}, randomUUID())], 3)).rejects.toMatchObject({ code: '23505' });
    await expect(store.append(stream, [ev('One')], 1)).rejects.toBeInstanceOf(WrongExpectedRevisionError);

    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
  });

  it('pages through readAll with `after` and keeps to the stream prefix', async () => {
    const a = unique('pa');
    const b = unique('pb');
    const idsOfA: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = ev('InA', { i }, randomUUID());
      await store.append(`${a}s`, [e], i === 0 ? 'no_stream' : i - 1);
      idsOfA.push(e.id!);
      await store.append(`${b}s`, [ev('InB', { i })], i === 0 ? 'no_stream' : i - 1);
    }
    await until(() => store.readAll({ streamPrefix: a }), (events) => events.length === 5);

    const p1 = await store.readAll({ streamPrefix: a, maxCount: 2 });
    const p2 = await store.readAll({ streamPrefix: a, maxCount: 2, after: p1[1].position });
    const p3 = await store.readAll({ streamPrefix: a, maxCount: 2, after: p2[1].position });
    expect([p1.length, p2.length, p3.length]).toEqual([2, 2, 1]);
    expect([...p1, ...p2, ...p3].map((e) => e.id)).toEqual(idsOfA);
    expect(await store.readAll({ streamPrefix: a, after: p3[0].position })).toEqual([]);

    // Unfiltered, the other stream's events sit between them.
    const between = await store.readAll({ after: p1[0].position, maxCount: 1 });
    expect(between[0].streamId).toBe(`${b}s`);
  });

  it('delivers a transaction that commits late, which a reader by sequence number alone skips', async () => {
    const prefix = unique('late');
    const sequenceReader = async (after: bigint) =>
      (await pool.query<{ pos: string }>('SELECT global_position::text AS pos FROM scs_events WHERE starts_with(stream_id, $1) AND global_position > $2 ORDER BY global_position', [prefix, after.toString()])).rows.map((r) => BigInt(r.pos));
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
        await until(() => received.length, (n) => n >= 2);
        expect(received.map((e) => e.type)).toEqual(['A', 'B']);
        expect(received.map((e) => e.position)).toEqual([a.position, b.position]);
        // A arrived although its sequence number lies behind a cursor a sequence reader had already passed...
        expect(received[0].position.prepare < sequenceCursor).toBe(true);
        // ...and that reader never sees it.
        expect(await sequenceReader(sequenceCursor)).toEqual([]);

        await store.append(`${prefix}c`, [ev('C')], 'no_stream');
        await until(() => received.length, (n) => n >= 3);
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

  it('resumes from a stored checkpoint, every event exactly once, while 4 writers append', async () => {
    const prefix = unique('resume');
    const checkpoints = new PostgresCheckpointStore(pool);
    const name = `${prefix}projection`;
    expect(await checkpoints.load(name)).toBeUndefined();
    const table = `handled_${randomBytes(4).toString('hex')}`;
    await pool.query(`CREATE TABLE ${table} (event_id uuid PRIMARY KEY)`);

    const delivered: RecordedEvent[] = [];
    const errors: unknown[] = [];
    // Like a projection: its row and its checkpoint in one transaction; the key refuses a second delivery.
    const handler = async (event: RecordedEvent) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [event.id]);
        await checkpoints.save(name, event.position, client);
        await client.query('COMMIT');
        delivered.push(event);
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };
    const start = async () => store.subscribeToAll({ after: await checkpoints.load(name), streamPrefix: prefix, handler, onError: (e) => errors.push(e) });

    const appended: string[] = [];
    const writers = Promise.all([0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < 50; i++) {
        const e = ev('Counted', { w, i }, randomUUID());
        await store.append(`${prefix}${w}`, [e], i === 0 ? 'no_stream' : i - 1);
        appended.push(e.id!);
        await sleep(Math.random() * 4);
      }
    }));

    let subscription = await start();
    for (const reached of [30, 90]) {
      await until(() => delivered.length, (n) => n >= reached);
      await subscription.stop();
      const atStop = delivered.length;
      expect(await checkpoints.load(name)).toEqual(delivered.at(-1)!.position);
      await sleep(100);
      expect(delivered).toHaveLength(atStop);
      subscription = await start();
    }
    await writers;
    await until(() => delivered.length, (n) => n >= 200);
    await sleep(150);
    await subscription.stop();

    expect(errors).toEqual([]);
    expect(delivered).toHaveLength(200);
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(appended));
    for (let i = 1; i < delivered.length; i++) expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBeLessThan(0);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(200);
    expect(await checkpoints.load(name)).toEqual(delivered.at(-1)!.position);
  });

  it('stops at a handler rejection and reports it through onError', async () => {
    const stream = `${unique('fail')}s`;
    await store.append(stream, [ev('One'), ev('Two'), ev('Three')], 'no_stream');
    const seen: string[] = [];
    const errors: unknown[] = [];
    const boom = new Error('boom');
    const subscription = store.subscribeToAll({
      streamPrefix: stream,
      handler: async (e) => {
        seen.push(e.type);
        if (e.type === 'Two') throw boom;
      },
      onError: (e) => errors.push(e),
    });
    await until(() => errors.length, (n) => n > 0);
    await store.append(stream, [ev('Four')], 2);
    await sleep(300);
    expect(errors).toEqual([boom]);
    expect(seen).toEqual(['One', 'Two']);
    await subscription.stop();
  });

  it('stop() resolves only after the handler in flight has finished', async () => {
    const stream = `${unique('stop')}s`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const subscription = store.subscribeToAll({
      streamPrefix: stream,
      handler: async (e) => {
        calls.push(`start ${e.type}`);
        await gate;
        calls.push(`end ${e.type}`);
      },
    });
    await store.append(stream, [ev('One'), ev('Two')], 'no_stream');
    await until(() => calls.length, (n) => n > 0);
    let stopped = false;
    const stopping = subscription.stop().then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(calls).toEqual(['start One', 'end One']);
  });

  it('listens again after losing its LISTEN connection, and logs it', async () => {
    const app = `scs_listener_${randomBytes(3).toString('hex')}`;
    const ownPool = new pg.Pool({ connectionString: db.url, application_name: app, max: 3 });
    ownPool.on('error', () => undefined);
    const logger = recordingLogger();
    // A poll of a minute: anything delivered within seconds came through a notification.
    const own = new PostgresEventStore({ pool: ownPool, pollIntervalMs: 60_000, logger });
    const listeners = async () =>
      (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query = 'LISTEN scs_events'`, [app])).rows.map((r) => r.pid);
    const stream = `${unique('listen')}s`;
    const received: string[] = [];
    const subscription = own.subscribeToAll({ streamPrefix: stream, handler: async (e) => void received.push(e.type) });
    try {
      const [first] = await until(listeners, (pids) => pids.length === 1);
      await store.append(stream, [ev('One')], 'no_stream');
      await until(() => received.length, (n) => n === 1, 5_000);

      await pool.query('SELECT pg_terminate_backend($1)', [first]);
      await until(listeners, (pids) => pids.length === 1 && pids[0] !== first);
      expect(logger.warnings.some((w) => w.includes('connection lost'))).toBe(true);
      await store.append(stream, [ev('Two')], 0);
      await until(() => received.length, (n) => n === 2, 5_000);
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
    const subscription = late.subscribeToAll({ handler: async (e) => void received.push(e.type), onError: (e) => errors.push(e) });
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    try {
      await until(() => logger.warnings.filter((w) => w.includes('reading failed')).length, (n) => n >= 2);
      await admin.query(`CREATE DATABASE "${name}"`);
      await migrate(urlForDatabase(name));
      await late.append('late-s', [ev('Late')], 'no_stream');
      await until(() => received.length, (n) => n === 1, 15_000);
      expect(errors).toEqual([]);
    } finally {
      await subscription.stop();
      await late.close();
      await latePool.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('pings, and close() stops its subscriptions but leaves the pool to its owner', async () => {
    const own = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    await expect(own.ping()).resolves.toBeUndefined();
    const stream = `${unique('close')}s`;
    const received: string[] = [];
    own.subscribeToAll({ streamPrefix: stream, handler: async (e) => void received.push(e.type) });
    await own.append(stream, [ev('Before')], 'no_stream');
    await until(() => received.length, (n) => n === 1);
    await own.close();
    await store.append(stream, [ev('After')], 0);
    await sleep(300);
    expect(received).toEqual(['Before']);
    expect(() => own.subscribeToAll({ handler: async () => undefined })).toThrow(/closed/);
    await expect(own.readStream(stream)).resolves.toHaveLength(2);

    const nowhere = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 1000 });
    await expect(new PostgresEventStore({ pool: nowhere }).ping()).rejects.toThrow();
    await nowhere.end();
  });
});
