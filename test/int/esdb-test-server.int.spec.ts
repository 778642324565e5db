import { setTimeout as sleep } from 'node:timers/promises';
import {
  ANY,
  BACKWARDS,
  END,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { status } from '@grpc/grpc-js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';

// The real @kurrent/kurrentdb-client over a real gRPC connection, against the in-memory server that stands
// in for EventStoreDB in CI. Each test uses its own stream names; the server is shared.

let server: EsdbTestServer;
let client: KurrentDBClient;
let unique = 0;

const streamName = (label: string): string => `${label}-${Date.now()}-${(unique += 1)}`;
const event = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ type, data });

async function readStream(
  name: string,
  options: Parameters<KurrentDBClient['readStream']>[1] = {},
): Promise<ResolvedEvent[]> {
  const events: ResolvedEvent[] = [];
  for await (const resolved of client.readStream(name, options)) events.push(resolved);
  return events;
}

async function readAll(options: Parameters<KurrentDBClient['readAll']>[0] = {}): Promise<AllStreamResolvedEvent[]> {
  const events: AllStreamResolvedEvent[] = [];
  for await (const resolved of client.readAll(options)) events.push(resolved);
  return events;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** What a subscription delivered, message by message, in arrival order. */
interface Recording {
  readonly events: ResolvedEvent[];
  readonly log: string[];
  readonly errors: Error[];
}

function record(subscription: NodeJS.EventEmitter): Recording {
  const recording: Recording = { events: [], log: [], errors: [] };
  subscription.on('data', (resolved: ResolvedEvent) => {
    recording.events.push(resolved);
    recording.log.push(`event ${resolved.event!.streamId}@${resolved.event!.revision}`);
  });
  subscription.on('caughtUp', () => recording.log.push('caughtUp'));
  subscription.on('error', (error: Error) => recording.errors.push(error));
  return recording;
}

const revisionsOf = (events: ResolvedEvent[]): bigint[] => events.map((resolved) => resolved.event!.revision);
const comparePositions = (a: Position, b: Position): number =>
  a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;

beforeAll(async () => {
  server = await startEsdbTestServer();
  client = KurrentDBClient.connectionString(server.connectionString);
});

afterAll(async () => {
  await client.dispose();
  await server.stop();
});

describe('appendToStream and reads', () => {
  it('round-trips a json event with its id, type, data, metadata, revision, position and creation time', async () => {
    const name = streamName('round-trip');
    const appended = jsonEvent({
      type: 'SchoolRequested',
      data: { slug: 'hill', size: 3 },
      metadata: { correlationId: 'c-1' },
    });
    const before = Date.now();

    const result = await client.appendToStream(name, appended, { streamState: NO_STREAM });
    const [read] = await readStream(name);

    expect(result).toEqual({ success: true, nextExpectedRevision: 0n, position: expect.anything() });
    expect(read!.event).toMatchObject({
      streamId: name,
      id: appended.id,
      type: 'SchoolRequested',
      data: { slug: 'hill', size: 3 },
      metadata: { correlationId: 'c-1' },
      isJson: true,
      revision: 0n,
      position: result.position,
    });
    expect(read!.commitPosition).toBe(result.position!.commit);
    // Reads come through the client's Rust bridge, which gives `created` in whole seconds (below).
    expect(read!.event!.created.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(read!.event!.created.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("gives `created` to the millisecond in a subscription, but to the second in a read (the client's Rust bridge)", async () => {
    // An event recorded at a whole second (one in a thousand) would prove nothing: take another.
    for (let attempt = 0; ; attempt++) {
      const name = streamName('created');
      await client.appendToStream(name, event('Created'));
      const [read] = await readStream(name);
      const subscription = client.subscribeToStream(name, { fromRevision: START });
      let subscribed: Date | undefined;
      for await (const resolved of subscription) {
        subscribed = resolved.event!.created;
        break;
      }
      await subscription.unsubscribe();
      if (subscribed!.getTime() % 1000 === 0 && attempt < 3) continue;

      expect(subscribed!.getTime() % 1000).not.toBe(0);
      expect(read!.event!.created.getTime()).toBe(Math.floor(subscribed!.getTime() / 1000) * 1000);
      return;
    }
  });

  it('gives each event of one append its own increasing position and answers with the last one', async () => {
    const name = streamName('batch');
    const result = await client.appendToStream(name, [event('A'), event('B'), event('C')]);
    const positions = (await readStream(name)).map((resolved) => resolved.event!.position!);

    expect(positions.map((position) => position.commit === position.prepare)).toEqual([true, true, true]);
    expect(comparePositions(positions[0]!, positions[1]!)).toBeLessThan(0);
    expect(comparePositions(positions[1]!, positions[2]!)).toBeLessThan(0);
    expect(result.position).toEqual(positions[2]);
  });

  it.each([
    ['no_stream on a stream that exists', 2, NO_STREAM, 'no_stream', 1n],
    ['a revision behind the stream', 2, 0n, 0n, 1n],
    ['a revision ahead of the stream', 2, 5n, 5n, 1n],
    ['stream_exists on a missing stream', 0, STREAM_EXISTS, 'stream_exists', 'no_stream'],
    ['a revision on a missing stream', 0, 0n, 0n, 'no_stream'],
  ] as const)(
    'throws WrongExpectedVersionError for %s',
    async (_case, existing, streamState, expectedState, actualState) => {
      const name = streamName('wrong-version');
      if (existing > 0) await client.appendToStream(name, [event('A'), event('B')]);

      const failure = await client.appendToStream(name, event('C'), { streamState }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(WrongExpectedVersionError);
      expect(failure).toMatchObject({ streamName: name, expectedState, actualState });
      expect(await readStream(name).catch(() => [])).toHaveLength(existing);
    },
  );

  it.each([
    ['no_stream', NO_STREAM],
    ['any', ANY],
    ['the exact revision', 0n],
  ] as const)(
    'answers a retried append with %s like the original, without writing twice',
    async (_case, streamState) => {
      const name = streamName('idempotent');
      if (streamState === 0n) await client.appendToStream(name, event('First'));
      const events = [event('A', { n: 1 }), event('B', { n: 2 })];

      const original = await client.appendToStream(name, events, { streamState });
      const retry = await client.appendToStream(name, events, { streamState });

      expect(retry).toEqual(original);
      expect((await readStream(name)).map((resolved) => resolved.event!.id)).toEqual([
        ...(streamState === 0n ? [expect.any(String)] : []),
        events[0]!.id,
        events[1]!.id,
      ]);
    },
  );

  it('refuses a retry that only partly matches what was written', async () => {
    const name = streamName('partial-retry');
    const written = [event('A'), event('B')];
    await client.appendToStream(name, written, { streamState: NO_STREAM });

    const failure = await client
      .appendToStream(name, [written[0]!, event('Other')], { streamState: NO_STREAM })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WrongExpectedVersionError);
    expect(failure).toMatchObject({ expectedState: 'no_stream', actualState: 1n });
    expect(await readStream(name)).toHaveLength(2);
  });

  it('accepts an empty append without creating the stream', async () => {
    const name = streamName('empty-append');

    const result = await client.appendToStream(name, [], { streamState: NO_STREAM });

    expect(result.success).toBe(true);
    await expect(readStream(name)).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('throws StreamNotFoundError when reading a stream without events', async () => {
    const name = streamName('missing');
    await expect(readStream(name)).rejects.toMatchObject({ constructor: StreamNotFoundError, streamName: name });
  });

  it('reads a stream from a revision inclusively, forwards and backwards, with a count', async () => {
    const name = streamName('directions');
    await client.appendToStream(
      name,
      [0, 1, 2, 3, 4].map((n) => event('N', { n })),
    );

    expect(revisionsOf(await readStream(name, { fromRevision: 2n }))).toEqual([2n, 3n, 4n]);
    expect(revisionsOf(await readStream(name, { fromRevision: 2n, maxCount: 2 }))).toEqual([2n, 3n]);
    expect(revisionsOf(await readStream(name, { direction: BACKWARDS, fromRevision: END }))).toEqual([
      4n,
      3n,
      2n,
      1n,
      0n,
    ]);
    expect(revisionsOf(await readStream(name, { direction: BACKWARDS, fromRevision: 2n }))).toEqual([2n, 1n, 0n]);
    expect(revisionsOf(await readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))).toEqual([4n]);
    expect(await readStream(name, { fromRevision: 9n })).toEqual([]);
  });

  it('reads $all in log order across streams, system events included, inclusively from a position', async () => {
    const [first, second] = [streamName('all-a'), streamName('all-b')];
    await client.appendToStream(first, event('A1'));
    await client.appendToStream(second, event('B1'));
    await client.appendToStream(first, event('A2'));

    const all = await readAll();
    const ours = all.filter((resolved) => [first, second].includes(resolved.event!.streamId));
    const fromSecond = await readAll({ fromPosition: ours[1]!.event!.position, maxCount: 2 });
    const backwards = await readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 3 });
    const beforeSecond = await readAll({ direction: BACKWARDS, fromPosition: ours[1]!.event!.position, maxCount: 1 });

    expect(ours.map((resolved) => resolved.event!.type)).toEqual(['A1', 'B1', 'A2']);
    expect(
      all.some((resolved) => resolved.event!.streamId.startsWith('$') && resolved.event!.type.startsWith('$')),
    ).toBe(true);
    expect(
      all.every(
        (resolved, i) => i === 0 || comparePositions(all[i - 1]!.event!.position, resolved.event!.position) < 0,
      ),
    ).toBe(true);
    expect(all).toHaveLength(server.eventCount);
    expect(fromSecond.map((resolved) => resolved.event!.type)).toEqual(['B1', 'A2']);
    expect(backwards.map((resolved) => resolved.event!.type)).toEqual(['A2', 'B1', 'A1']);
    expect(beforeSecond.map((resolved) => resolved.event!.type)).toEqual(['A1']);
  });

  it('reads 10k events of one stream back in pages of 500', async () => {
    const name = streamName('large');
    for (let batch = 0; batch < 20; batch += 1) {
      const events = Array.from({ length: 500 }, (_, i) => event('Numbered', { n: batch * 500 + i }));
      await client.appendToStream(name, events, {
        streamState: batch === 0 ? NO_STREAM : BigInt(batch * 500 - 1),
      });
    }
    const started = Date.now();

    const numbers: unknown[] = [];
    for (let from = 0n; ; from += 500n) {
      const page = await readStream(name, { fromRevision: from, maxCount: 500 });
      numbers.push(...page.map((resolved) => (resolved.event!.data as { n: number }).n));
      if (page.length < 500) break;
    }

    expect(numbers).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('subscriptions', () => {
  it('delivers catch-up events, caught up, then live events appended concurrently, each exactly once', async () => {
    const name = streamName('catch-up');
    await client.appendToStream(
      name,
      [0, 1, 2].map((n) => event('N', { n })),
    );
    const subscription = client.subscribeToStream(name, { fromRevision: START });
    const recording = record(subscription);

    const appending = (async () => {
      for (let n = 3; n < 40; n += 1) await client.appendToStream(name, event('N', { n }));
    })();
    await appending;
    await waitUntil(() => recording.events.length >= 40, '40 events');
    await subscription.unsubscribe();

    expect(revisionsOf(recording.events)).toEqual(Array.from({ length: 40 }, (_, n) => BigInt(n)));
    expect(recording.log.filter((entry) => entry === 'caughtUp').length).toBeGreaterThanOrEqual(1);
    expect(recording.log.indexOf('caughtUp')).toBeGreaterThanOrEqual(3);
  });

  it('starts a stream subscription after the revision it is given, and from END at what comes next', async () => {
    const name = streamName('exclusive');
    await client.appendToStream(name, [event('A'), event('B'), event('C')]);
    const fromRevision = client.subscribeToStream(name, { fromRevision: 1n });
    const fromEnd = client.subscribeToStream(name, { fromRevision: END });
    const [afterOne, atEnd] = [record(fromRevision), record(fromEnd)];
    await waitUntil(() => atEnd.log.includes('caughtUp'), 'the END subscription to catch up');

    await client.appendToStream(name, event('D'));
    await waitUntil(() => afterOne.events.length >= 2 && atEnd.events.length >= 1, 'the live event');
    await Promise.all([fromRevision.unsubscribe(), fromEnd.unsubscribe()]);

    expect(revisionsOf(afterOne.events)).toEqual([2n, 3n]);
    expect(revisionsOf(atEnd.events)).toEqual([3n]);
  });

  it('starts a $all subscription after the position it is given', async () => {
    const name = streamName('all-exclusive');
    const first = await client.appendToStream(name, event('A'));
    await client.appendToStream(name, event('B'));
    const filtered = client.subscribeToAll({
      fromPosition: first.position!,
      filter: streamNameFilter({ prefixes: [name] }),
    });
    const unfiltered = client.subscribeToAll({ fromPosition: first.position! });
    const recordings = [record(filtered), record(unfiltered)];

    await waitUntil(() => recordings.every((recording) => recording.log.includes('caughtUp')), 'catch-up');
    await Promise.all([filtered.unsubscribe(), unfiltered.unsubscribe()]);

    expect(recordings.map((recording) => recording.events.map((resolved) => resolved.event!.type))).toEqual([
      ['B'],
      ['B'],
    ]);
  });

  it('filters $all by stream prefix and event type regex, and reports checkpoints before going live', async () => {
    const [wanted, other] = [streamName('filtered'), streamName('unwanted')];
    for (let n = 0; n < 10; n += 1) {
      await client.appendToStream(wanted, event(n % 2 === 0 ? 'Even' : 'Odd', { n }));
      await client.appendToStream(other, event('Even', { n }));
    }
    const checkpoints: Position[] = [];
    const byStream = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: [wanted],
        maxSearchWindow: 4,
        checkpointInterval: 2,
        checkpointReached: (_s, position) => void checkpoints.push(position),
      }),
    });
    const byType = client.subscribeToAll({ fromPosition: START, filter: eventTypeFilter({ regex: '^Od' }) });
    const [streamRecording, typeRecording] = [record(byStream), record(byType)];
    byStream.on('caughtUp', () => streamRecording.log.push(`checkpoints ${checkpoints.length}`));
    await waitUntil(
      () => streamRecording.log.includes('caughtUp') && typeRecording.log.includes('caughtUp'),
      'both to catch up',
    );

    const live = await client.appendToStream(wanted, event('Odd', { n: 10 }));
    await waitUntil(() => streamRecording.events.length === 11, 'the live event');
    await Promise.all([byStream.unsubscribe(), byType.unsubscribe()]);

    const caughtUpEntry = streamRecording.log[streamRecording.log.indexOf('caughtUp') + 1]!;
    const lastEventPosition = streamRecording.events[9]!.event!.position!;
    expect(streamRecording.events.map((resolved) => resolved.event!.streamId)).toEqual(Array(11).fill(wanted));
    expect(typeRecording.events.every((resolved) => resolved.event!.type === 'Odd')).toBe(true);
    expect(
      revisionsOf(typeRecording.events.filter((resolved) => resolved.event!.streamId === wanted)).slice(0, 5),
    ).toEqual([1n, 3n, 5n, 7n, 9n]);
    expect(caughtUpEntry).toBe(`checkpoints ${checkpoints.length}`);
    expect(checkpoints.length).toBeGreaterThan(2);
    expect(checkpoints.every((position, i) => i === 0 || comparePositions(checkpoints[i - 1]!, position) < 0)).toBe(
      true,
    );
    expect(comparePositions(checkpoints.at(-1)!, lastEventPosition)).toBeGreaterThanOrEqual(0);
    expect(comparePositions(checkpoints.at(-1)!, live.position!)).toBeLessThan(0);
  });

  it('lets excludeSystemEvents skip the seeded system events', async () => {
    const subscription = client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
    const unfiltered = client.subscribeToAll({ fromPosition: START });
    const [filtered, all] = [record(subscription), record(unfiltered)];
    await waitUntil(() => filtered.log.includes('caughtUp') && all.log.includes('caughtUp'), 'catch-up');
    await Promise.all([subscription.unsubscribe(), unfiltered.unsubscribe()]);

    expect(filtered.events.some((resolved) => resolved.event!.type.startsWith('$'))).toBe(false);
    expect(all.events.filter((resolved) => resolved.event!.type.startsWith('$')).length).toBeGreaterThanOrEqual(2);
    expect(all.events).toHaveLength(server.eventCount);
  });

  it('gives a slow subscriber every event once, in order, while appends run ahead of it', async () => {
    const name = streamName('slow');
    const payload = 'x'.repeat(4_000);
    const subscription = client.subscribeToStream(name, { fromRevision: START }, { highWaterMark: 1 });
    const received: bigint[] = [];

    const consuming = (async () => {
      for await (const resolved of subscription) {
        received.push(resolved.event!.revision);
        await sleep(1);
        if (received.length === 300) break;
      }
    })();
    for (let batch = 0; batch < 10; batch += 1) {
      await client.appendToStream(
        name,
        Array.from({ length: 30 }, (_, i) => event('Big', { n: batch * 30 + i, payload })),
      );
    }
    await consuming;

    expect(received).toEqual(Array.from({ length: 300 }, (_, n) => BigInt(n)));
  });
});

describe('connection faults', () => {
  it('ends a subscription with UNAVAILABLE on dropConnections, and the next call works', async () => {
    const name = streamName('dropped');
    await client.appendToStream(name, event('A'));
    const subscription = client.subscribeToStream(name);
    const recording = record(subscription);
    await waitUntil(() => recording.log.includes('caughtUp'), 'catch-up');

    server.dropConnections();
    await waitUntil(() => recording.errors.length > 0, 'the subscription error');
    const after = await client.appendToStream(name, event('B'), { streamState: 0n });

    expect(recording.errors[0]).toMatchObject({ type: 'unavailable' });
    expect(after.nextExpectedRevision).toBe(1n);
  });

  it('keeps its data over stop and start on the same port', async () => {
    const name = streamName('restart');
    await client.appendToStream(name, [event('A'), event('B')]);
    const subscription = client.subscribeToStream(name);
    const recording = record(subscription);
    await waitUntil(() => recording.log.includes('caughtUp'), 'catch-up');
    const { port, eventCount } = server;

    await server.stop();
    await waitUntil(() => recording.errors.length > 0, 'the subscription error');
    // With nothing listening the client passes grpc-js's own error through, not an UnavailableError.
    await expect(client.appendToStream(name, event('Lost'))).rejects.toMatchObject({ code: status.UNAVAILABLE });
    await server.start();
    const read = await readStream(name);

    expect(recording.errors[0]).toMatchObject({ type: 'unavailable' });
    expect(server.port).toBe(port);
    expect(server.eventCount).toBe(eventCount);
    expect(read.map((resolved) => resolved.event!.type)).toEqual(['A', 'B']);
  });
});
