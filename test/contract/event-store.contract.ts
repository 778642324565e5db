import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { decidedEventId, RetryingAppends } from '../../src/school/retrying-appends.js';
import {
  comparePositions,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
  type RecordedEvent,
} from '../../src/ports/event-store.port.js';
import { PostgresCheckpointStore } from '../../src/adapters/postgres/postgres-checkpoint-store.js';
import { freshDatabase } from '../support/databases.js';
import {
  applyEventStoreSchema,
  ev,
  sleep,
  testMetadata as metadata,
  unique,
  until,
} from '../support/event-store-fixtures.js';

/**
 * The event-store port's contract: the same cases for every adapter. A suite names itself
 * `event store contract: <adapter>`; the summary reporter lists the adapters that ran.
 */
export interface ContractSubject {
  store: EventStore;
  /** Makes the store unreachable for `ms` and back (absent where a test cannot, e.g. a shared real server). */
  outage?: (ms: number) => Promise<void>;
  close(): Promise<void>;
}

const CONTRACT_TITLE = 'event store contract';

export function eventStoreContract(adapter: string, open: () => Promise<ContractSubject>): void {
  describe(`${CONTRACT_TITLE}: ${adapter}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    // Subscribers keep checkpoints in the central PostgreSQL database whatever the event store (as the service does).
    let central: Awaited<ReturnType<typeof freshDatabase>>;
    let pool: pg.Pool;

    async function readAllPaged(streamPrefix: string, maxCount = 1000): Promise<RecordedEvent[]> {
      const all: RecordedEvent[] = [];
      for (;;) {
        const page = await store.readAll({ after: all.at(-1)?.position, maxCount, streamPrefix });
        if (page.length === 0) return all;
        all.push(...page);
      }
    }

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
      central = await freshDatabase('scs_contract');
      await applyEventStoreSchema(central.url);
      pool = new pg.Pool({ connectionString: central.url, max: 10 });
    });

    afterAll(async () => {
      await subject?.close();
      await pool?.end();
      await central?.drop();
    });

    it('appends and reads a stream back: ids, types, data, metadata, revisions from 0, positions', async () => {
      const stream = `${unique('school')}s`;
      const id = randomUUID();
      const result = await store.append(
        stream,
        [
          ev('SchoolRequested', { name: 'Green Valley', n: 1 }, id),
          ev('SlugReserved', { slug: 'gv' }),
          ev('DatabaseCreated', { nested: { ok: true } }),
        ],
        'no_stream',
      );
      expect(result.nextExpectedRevision).toBe(2);

      const events = await store.readStream(stream);
      expect(events.map((e) => [e.revision, e.type])).toEqual([
        [0, 'SchoolRequested'],
        [1, 'SlugReserved'],
        [2, 'DatabaseCreated'],
      ]);
      expect(events.map((e) => e.data)).toEqual([
        { name: 'Green Valley', n: 1 },
        { slug: 'gv' },
        { nested: { ok: true } },
      ]);
      expect(
        events.every(
          (e) =>
            e.streamId === stream &&
            e.recordedAt instanceof Date &&
            Math.abs(e.recordedAt.getTime() - Date.now()) < 60_000,
        ),
      ).toBe(true);
      expect(events[0].metadata).toEqual(metadata);
      expect(events[0].id).toBe(id);
      expect(events[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(events[2].position).toEqual(result.position);
      expect(comparePositions(events[0].position, events[1].position)).toBeLessThan(0);
      expect(comparePositions(events[1].position, events[2].position)).toBeLessThan(0);

      expect((await store.readStream(stream, { fromRevision: 1, maxCount: 1 })).map((e) => e.type)).toEqual([
        'SlugReserved',
      ]);
      expect((await store.readStream(stream, { fromRevision: 2 })).map((e) => e.type)).toEqual(['DatabaseCreated']);
      expect(await store.readStream(stream, { fromRevision: 3 })).toEqual([]);
      expect(await store.readStream(`${stream}-absent`)).toEqual([]);
    });

    it('enforces the expected revision: no_stream, a number, any, stream_exists', async () => {
      const stream = `${unique('expect')}s`;
      await store.append(stream, [ev('A'), ev('B')], 'no_stream');
      const noStream = store.append(stream, [ev('C')], 'no_stream');
      await expect(noStream).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(noStream).rejects.toMatchObject({ streamId: stream, expected: 'no_stream', actual: 1 });

      expect((await store.append(stream, [ev('C')], 1)).nextExpectedRevision).toBe(2);
      await expect(store.append(stream, [ev('D')], 1)).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        expected: 1,
        actual: 2,
      });
      await expect(store.append(stream, [ev('D')], 7)).rejects.toMatchObject({ expected: 7, actual: 2 });
      await expect(store.append(`${stream}-absent`, [ev('D')], 0)).rejects.toMatchObject({
        expected: 0,
        actual: 'no_stream',
      });

      expect((await store.append(stream, [ev('D'), ev('E')], 'any')).nextExpectedRevision).toBe(4);
      expect((await store.append(`${stream}-any`, [ev('A')], 'any')).nextExpectedRevision).toBe(0);

      await expect(store.append(`${stream}-missing`, [ev('A')], 'stream_exists')).rejects.toMatchObject({
        expected: 'stream_exists',
        actual: 'no_stream',
      });
      expect(await store.readStream(`${stream}-missing`)).toEqual([]);
      expect((await store.append(stream, [ev('F')], 'stream_exists')).nextExpectedRevision).toBe(5);
      expect((await store.readStream(stream)).map((e) => `${e.revision}${e.type}`)).toEqual([
        '0A',
        '1B',
        '2C',
        '3D',
        '4E',
        '5F',
      ]);
    });

    // With ids too, as RetryingAppends gives every append: a loser then checks for an earlier append of
    // its own, which must not need a second connection (the adapter's pool is smaller than 20 here).
    it.each([
      ['without event ids', false],
      ['with event ids', true],
    ])('lets exactly one of 20 concurrent no_stream appends win (%s)', async (_name, withIds) => {
      const stream = `${unique('slug')}s`;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.append(stream, [ev('SlugReserved', { by: i }, withIds ? randomUUID() : undefined)], 'no_stream'),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost).toHaveLength(19);
      for (const { reason } of lost) {
        expect(reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(reason).toMatchObject({ expected: 'no_stream', actual: 0 });
      }
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('answers a retried append (same event ids) with its first result and stores nothing twice', async () => {
      const stream = `${unique('retry')}s`;
      const first = [ev('One', {}, randomUUID()), ev('Two', {}, randomUUID())];
      const r1 = await store.append(stream, first, 'no_stream');
      await expect(store.append(stream, first, 'no_stream')).resolves.toEqual(r1);
      await expect(store.append(stream, first, 'any')).resolves.toEqual(r1);

      const next = [ev('Three', {}, randomUUID())];
      const r2 = await store.append(stream, next, 1);
      await store.append(stream, [ev('Four')], 2);
      await expect(store.append(stream, next, 1)).resolves.toEqual(r2);
      // Not a retry: the same id where `expected` would not have put it, or a new event at an old revision.
      await expect(store.append(stream, next, 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.append(stream, [ev('One')], 1)).rejects.toBeInstanceOf(WrongExpectedRevisionError);

      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
    });

    it('stores once an append whose answer was lost, repeated by RetryingAppends with the same decided ids', async () => {
      const stream = `${unique('lost')}s`;
      let losses = 0;
      // The append reaches the store, then the answer is lost on the way back (the connection drops).
      const lossy: EventStore = {
        append: async (...args) => {
          const result = await store.append(...args);
          if (losses-- > 0) throw new EventStoreUnavailableError('the answer was lost');
          return result;
        },
        readStream: (...args) => store.readStream(...args),
        readAll: (...args) => store.readAll(...args),
        headPosition: () => store.headPosition(),
        subscribeToAll: (...args) => store.subscribeToAll(...args),
        ping: () => store.ping(),
        close: async () => undefined,
      };
      const retrying = new RetryingAppends(lossy, { baseDelayMs: 5 });
      losses = 1;
      const first = await retrying.append(stream, [ev('One', { n: 1 }), ev('Two', { n: 2 })], 'no_stream');
      losses = 2;
      const second = await retrying.append(stream, [ev('Three', { n: 3 })], 1);
      const stored = await store.readStream(stream);
      expect(stored.map((e) => e.type)).toEqual(['One', 'Two', 'Three']);
      expect(stored.map((e) => e.id)).toEqual([
        decidedEventId(stream, 0, ev('One', { n: 1 })),
        decidedEventId(stream, 1, ev('Two', { n: 2 })),
        decidedEventId(stream, 2, ev('Three', { n: 3 })),
      ]);
      expect(first).toEqual({ nextExpectedRevision: 1, position: stored[1].position });
      expect(second).toEqual({ nextExpectedRevision: 2, position: stored[2].position });

      // Without the same ids the repeat is a different append, and the store refuses it.
      await expect(store.append(stream, [ev('Three', { n: 3 })], 1)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      // A store that stays unreachable: the attempts run out and the caller hears it is unavailable.
      losses = 100;
      await expect(
        new RetryingAppends(lossy, { baseDelayMs: 5, attempts: 3 }).append(stream, [ev('Four')], 2),
      ).rejects.toBeInstanceOf(EventStoreUnavailableError);
      expect(losses).toBe(97);
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['One', 'Two', 'Three', 'Four']);
    });

    it('gives readAll every event of 10 concurrent writers exactly once, in one order, pages of any size agreeing', async () => {
      const prefix = unique('many');
      const appended: string[] = [];
      await Promise.all(
        Array.from({ length: 10 }, async (_, w) => {
          for (let i = 0; i < 20; i++) {
            const events = [ev('Counted', { w, i }, randomUUID()), ev('Counted', { w, i, second: true }, randomUUID())];
            await store.append(`${prefix}${w}`, events, i === 0 ? 'no_stream' : 2 * i - 1);
            appended.push(...events.map((e) => e.id!));
          }
        }),
      );
      const all = await until(
        () => readAllPaged(prefix, 37),
        (events) => events.length >= 400,
      );
      expect(all).toHaveLength(400);
      expect(new Set(all.map((e) => e.id))).toEqual(new Set(appended));
      for (let i = 1; i < all.length; i++)
        expect(comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
      for (let w = 0; w < 10; w++) {
        expect(all.filter((e) => e.streamId === `${prefix}${w}`).map((e) => e.revision)).toEqual(
          Array.from({ length: 40 }, (_, r) => r),
        );
      }
      expect((await readAllPaged(prefix, 101)).map((e) => e.id)).toEqual(all.map((e) => e.id));
    });

    it('pages through readAll strictly after a position and keeps to the stream prefix', async () => {
      const a = unique('pa');
      const b = unique('pb');
      const idsOfA: string[] = [];
      for (let i = 0; i < 5; i++) {
        const e = ev('InA', { i }, randomUUID());
        await store.append(`${a}s`, [e], i === 0 ? 'no_stream' : i - 1);
        idsOfA.push(e.id!);
        await store.append(`${b}s`, [ev('InB', { i })], i === 0 ? 'no_stream' : i - 1);
      }
      await until(
        () => store.readAll({ streamPrefix: a }),
        (events) => events.length === 5,
      );

      const p1 = await store.readAll({ streamPrefix: a, maxCount: 2 });
      const p2 = await store.readAll({ streamPrefix: a, maxCount: 2, after: p1[1].position });
      const p3 = await store.readAll({ streamPrefix: a, maxCount: 2, after: p2[1].position });
      expect([p1.length, p2.length, p3.length]).toEqual([2, 2, 1]);
      expect([...p1, ...p2, ...p3].map((e) => e.id)).toEqual(idsOfA);
      expect(await store.readAll({ streamPrefix: a, after: p3[0].position })).toEqual([]);

      // Unfiltered, the other stream's events sit between them, and none of the store's own events shows.
      const between = await store.readAll({ after: p1[0].position, maxCount: 1 });
      expect(between[0].streamId).toBe(`${b}s`);
      expect(
        (await store.readAll({ maxCount: 5000 })).filter((e) => e.streamId.startsWith('$') || e.type.startsWith('$')),
      ).toEqual([]);
    });

    it('resumes a subscription from its stored checkpoint: every event exactly once, in order, while 4 writers append', async () => {
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
      const start = async () =>
        store.subscribeToAll({
          after: await checkpoints.load(name),
          streamPrefix: prefix,
          handler,
          onError: (e) => errors.push(e),
        });

      const appended: string[] = [];
      const writers = Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; i < 50; i++) {
            const e = ev('Counted', { w, i }, randomUUID());
            await store.append(`${prefix}${w}`, [e], i === 0 ? 'no_stream' : i - 1);
            appended.push(e.id!);
            await sleep(Math.random() * 4);
          }
        }),
      );

      let subscription = await start();
      for (const reached of [30, 90]) {
        await until(
          () => delivered.length,
          (n) => n >= reached,
        );
        await subscription.stop();
        const atStop = delivered.length;
        expect(await checkpoints.load(name)).toEqual(delivered.at(-1)!.position);
        await sleep(100);
        expect(delivered).toHaveLength(atStop);
        subscription = await start();
      }
      await writers;
      await until(
        () => delivered.length,
        (n) => n >= 200,
      );
      await sleep(150);
      await subscription.stop();

      expect(errors).toEqual([]);
      expect(delivered).toHaveLength(200);
      expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(appended));
      for (let i = 1; i < delivered.length; i++)
        expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBeLessThan(0);
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(200);
      expect(await checkpoints.load(name)).toEqual(delivered.at(-1)!.position);
    });

    it('stops a subscription at a handler rejection and reports it through onError', async () => {
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
      await until(
        () => errors.length,
        (n) => n > 0,
      );
      await store.append(stream, [ev('Four')], 2);
      await sleep(300);
      expect(errors).toEqual([boom]);
      expect(seen).toEqual(['One', 'Two']);
      await subscription.stop();
    });

    it('stop() resolves only after the handler in flight has finished, and delivers nothing after', async () => {
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
      await until(
        () => calls.length,
        (n) => n > 0,
      );
      let stopped = false;
      const stopping = subscription.stop().then(() => (stopped = true));
      await sleep(100);
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(calls).toEqual(['start One', 'end One']);
    });

    it('hands a batch handler every event once, in order, in non-empty batches; a rejection stops it', async () => {
      const prefix = unique('batch');
      for (let w = 0; w < 3; w++)
        await store.append(
          `${prefix}${w}`,
          Array.from({ length: 10 }, (_, i) => ev('Counted', { w, i })),
          'no_stream',
        );
      const batches: RecordedEvent[][] = [];
      const errors: unknown[] = [];
      const boom = new Error('boom');
      const subscription = store.subscribeToAll({
        streamPrefix: prefix,
        handleBatch: async (events) => {
          batches.push(events);
          if (events.some((e) => e.type === 'Refused')) throw boom;
        },
        onError: (e) => errors.push(e),
      });
      try {
        await until(
          () => batches.flat().length,
          (n) => n >= 30,
        );
        await store.append(`${prefix}0`, [ev('Late')], 9);
        await until(
          () => batches.flat().length,
          (n) => n >= 31,
        );
        await store.append(`${prefix}1`, [ev('Refused')], 9);
        await until(
          () => errors.length,
          (n) => n > 0,
        );
        await store.append(`${prefix}2`, [ev('AfterTheStop')], 9);
        await sleep(300);
        const delivered = batches.flat();
        expect(batches.every((b) => b.length > 0)).toBe(true);
        expect(delivered.map((e) => e.type)).toEqual([...Array(30).fill('Counted'), 'Late', 'Refused']);
        for (let i = 1; i < delivered.length; i++)
          expect(comparePositions(delivered[i - 1].position, delivered[i].position)).toBeLessThan(0);
        expect(errors).toEqual([boom]);
      } finally {
        await subscription.stop();
      }
    });

    it('keeps a subscription through an outage of the store and delivers every event once after it', async () => {
      if (!subject.outage) {
        console.log(`${adapter}: no outage can be caused here; the case is covered by the adapters that can`);
        return;
      }
      const prefix = unique('outage');
      const received: RecordedEvent[] = [];
      const errors: unknown[] = [];
      const subscription = store.subscribeToAll({
        streamPrefix: prefix,
        handler: async (e) => void received.push(e),
        onError: (e) => errors.push(e),
      });
      try {
        await store.append(`${prefix}s`, [ev('Before')], 'no_stream');
        await until(
          () => received.length,
          (n) => n === 1,
        );
        await subject.outage(1_500);
        await until(
          () =>
            store.ping().then(
              () => true,
              () => false,
            ),
          (ok) => ok,
        );
        await store.append(`${prefix}s`, [ev('After1'), ev('After2')], 0);
        await until(
          () => received.length,
          (n) => n >= 3,
        );
        await sleep(200);
        expect(received.map((e) => e.type)).toEqual(['Before', 'After1', 'After2']);
        expect(errors).toEqual([]);
      } finally {
        await subscription.stop();
      }
    });

    it('holds a stream of 10,000 events and reads it back in pages of 500', async () => {
      const stream = `${unique('large')}s`;
      const started = Date.now();
      for (let batch = 0; batch < 20; batch++) {
        const events = Array.from({ length: 500 }, (_, i) => ev('Counted', { n: batch * 500 + i }));
        await store.append(stream, events, batch === 0 ? 'no_stream' : batch * 500 - 1);
      }
      const appendedMs = Date.now() - started;
      const read: RecordedEvent[] = [];
      const readStarted = Date.now();
      for (;;) {
        const page = await store.readStream(stream, { fromRevision: read.length, maxCount: 500 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(500);
        read.push(...page);
      }
      const readMs = Date.now() - readStarted;
      expect(read).toHaveLength(10_000);
      expect(read.every((e, i) => e.revision === i && e.data.n === i)).toBe(true);
      const all = await until(
        () => readAllPaged(stream, 500),
        (events) => events.length >= 10_000,
      );
      expect(all.map((e) => e.id)).toEqual(read.map((e) => e.id));
      console.log(
        `${adapter}: 10,000 events appended in ${appendedMs} ms (20 appends), read in pages of 500 in ${readMs} ms`,
      );
    });

    it('gives the head position: the last event readAll returns, moving with each append', async () => {
      const stream = `${unique('head')}s`;
      await store.append(stream, [ev('First', { n: 1 })], 'no_stream');
      const appended = await store.append(stream, [ev('Second', { n: 2 })], 0);
      const last = async () => {
        const page = await store.readAll({ after: appended.position, maxCount: 1 });
        return page.length === 0 ? store.headPosition() : undefined;
      };
      // Nobody else appends in this suite now: the head is the second event's position.
      const head = await until(
        last,
        (position) => position !== undefined && comparePositions(position, appended.position) >= 0,
      );
      expect(comparePositions(head!, appended.position)).toBe(0);
      const next = await store.append(stream, [ev('Third', { n: 3 })], 1);
      const moved = await until(
        () => store.headPosition(),
        (p) => p !== undefined && comparePositions(p, head!) > 0,
      );
      expect(comparePositions(moved!, next.position)).toBe(0);
    });

    it('answers ping while the store is reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
