import {
  ANY,
  BACKWARDS,
  END,
  KurrentDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  deliverEvents,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.port.js';
import { silentLogger, type AppLogger } from '../../../application/ports/logger.port.js';
import { reportSubscriptionStop } from '../subscription-stop.js';
import { describeError } from '../../../application/describe-error.js';

/** Events read from `$all` per request: the store filters by stream prefix on our side, page by page. */
const PAGE = 500;
const PING_TIMEOUT_MS = 2_000;
const DISPOSE_WAIT_MS = 1_000;

/** A stream or event of the server's own (`$`-prefixed), never one of ours. */
const isSystem = (streamId: string, type: string) => streamId.startsWith('$') || type.startsWith('$');

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.position || !event.isJson) return undefined;
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    data: event.data as Record<string, unknown>,
    metadata: (event.metadata ?? {}) as EventMetadata,
    revision: Number(event.revision),
    position: { commit: event.position.commit, prepare: event.position.prepare },
    recordedAt: event.created instanceof Date ? event.created : new Date(event.created),
  };
}

/** gRPC status codes the client passes through unwrapped while no server listens: UNAVAILABLE, DEADLINE_EXCEEDED. */
const UNREACHABLE_CODES = new Set([14, 4]);

/**
 * The connection string as the KurrentDB client takes it: `esdb://` and `esdb+discover://` (the
 * EventStoreDB client's schemes, which this client still accepts but warns about on the console at every
 * connection) become `kurrentdb://` and `kurrentdb+discover://`; the rest is left as given.
 */
export function kurrentConnectionString(connectionString: string): string {
  return connectionString.replace(/^esdb(\+discover)?:\/\//, 'kurrentdb$1://');
}

/** What the client throws when it cannot reach a server (or loses it mid-call). */
function isUnavailable(error: unknown): boolean {
  const { type, code } = error as { type?: unknown; code?: unknown };
  return (
    type === 'unavailable' ||
    type === 'deadline-exceeded' ||
    type === 'not-leader' ||
    type === 'timeout' ||
    type === 'cancelled' ||
    (typeof code === 'number' && UNREACHABLE_CODES.has(code))
  );
}

function unavailable(operation: string, error: unknown): Error {
  return isUnavailable(error)
    ? new EventStoreUnavailableError(`EventStoreDB ${operation}: ${describeError(error)}`, { cause: error })
    : (error as Error);
}

/**
 * The event store on KurrentDB or EventStoreDB 20+ (`@kurrent/kurrentdb-client`, gRPC; its reads go through
 * the client's Rust bridge, its appends and subscriptions through grpc-js). Appends map the port's expected
 * revision to the server's and carry our deterministic event ids, so a retried append is answered by
 * the server's idempotence check instead of writing twice. Reads of `$all` and subscriptions skip the
 * server's own `$` events. Subscriptions resume from the last event they handled when the connection
 * drops, with backoff; the client reconnects by itself on the next call.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly logger: AppLogger;
  private readonly retryMaxMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(options: { connectionString: string; logger?: AppLogger; retryMaxMs?: number }) {
    this.client = KurrentDBClient.connectionString(kurrentConnectionString(options.connectionString));
    this.logger = options.logger ?? silentLogger;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const proposed = events.map((e) =>
      jsonEvent({ ...(e.id ? { id: e.id } : {}), type: e.type, data: e.data, metadata: e.metadata }),
    );
    try {
      const result = await this.client.appendToStream(streamId, proposed, {
        streamState: toStreamState(expected),
      });
      const position =
        result.position ??
        (await this.readStream(streamId, { fromRevision: Number(result.nextExpectedRevision), maxCount: 1 }))[0]
          ?.position;
      if (!position) throw new Error(`append to ${streamId}: the server returned no position`);
      return {
        nextExpectedRevision: Number(result.nextExpectedRevision),
        position: { commit: position.commit, prepare: position.prepare },
      };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) : 'no_stream';
        throw new WrongExpectedRevisionError(streamId, expected, actual);
      }
      throw unavailable(`append to ${streamId}`, error);
    }
  }

  async readStream(
    streamId: string,
    options: { fromRevision?: number; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
        direction: FORWARDS,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw unavailable(`read ${streamId}`, error);
    }
    return events;
  }

  /**
   * `$all` in position order, strictly after `options.after`. The server reads from a position
   * inclusively and cannot filter a read, so each page starts at the last position seen and drops it,
   * and streams outside the prefix are dropped here.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const wanted = options.maxCount ?? 1000;
    const out: RecordedEvent[] = [];
    let after = options.after;
    for (;;) {
      let seen = 0;
      try {
        const read = this.client.readAll({
          fromPosition: (after ?? START) as ReadPosition,
          maxCount: PAGE,
          direction: FORWARDS,
        });
        for await (const resolved of read) {
          seen++;
          const position = resolved.event?.position;
          if (!position || (after && comparePositions(position, after) <= 0)) continue;
          after = { commit: position.commit, prepare: position.prepare };
          const event = toRecorded(resolved);
          if (!event || isSystem(event.streamId, event.type)) continue;
          if (options.streamPrefix !== undefined && !event.streamId.startsWith(options.streamPrefix)) continue;
          out.push(event);
          if (out.length >= wanted) return out;
        }
      } catch (error) {
        throw unavailable('read $all', error);
      }
      if (seen < PAGE) return out;
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('the event store is closed');
    let stopped = false;
    let current: { unsubscribe(): Promise<void> } | undefined;
    let wake: () => void = () => undefined;
    let position = options.after;

    const fail = (error: unknown) => {
      stopped = true;
      reportSubscriptionStop(options, this.logger, error);
    };

    // The server filters by stream name, and answers from a position exclusively.
    const filter =
      options.streamPrefix !== undefined
        ? streamNameFilter({ prefixes: [options.streamPrefix] })
        : excludeSystemEvents();
    const run = async () => {
      let failures = 0;
      while (!stopped) {
        const subscription = this.client.subscribeToAll({ fromPosition: (position ?? START) as ReadPosition, filter });
        current = subscription;
        try {
          for await (const resolved of subscription) {
            if (stopped) break;
            failures = 0;
            const event = toRecorded(resolved);
            if (!event || isSystem(event.streamId, event.type)) continue;
            if (position && comparePositions(event.position, position) <= 0) continue;
            if (options.streamPrefix !== undefined && !event.streamId.startsWith(options.streamPrefix)) continue;
            try {
              await deliverEvents(options, [event], () => stopped);
            } catch (error) {
              await subscription.unsubscribe().catch(() => undefined);
              return fail(error);
            }
            position = event.position;
          }
          if (stopped) return;
          throw new Error('the server ended the subscription');
        } catch (error) {
          if (stopped) return;
          failures++;
          const delay = Math.min(this.retryMaxMs, 100 * 2 ** failures);
          this.logger.warn(`event subscription: ${describeError(error)}; subscribing again in ${delay} ms`);
          await subscription.unsubscribe().catch(() => undefined);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delay);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
    };

    const done = run()
      .catch(fail)
      .finally(() => this.subscriptions.delete(handle));
    const handle: Subscription = {
      stop: async () => {
        stopped = true;
        wake();
        await current?.unsubscribe().catch(() => undefined);
        await done;
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /** The last event of `$all` that is not a system event (read backwards from the end). */
  async headPosition(): Promise<GlobalPosition | undefined> {
    try {
      const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: PAGE });
      for await (const resolved of read) {
        const event = toRecorded(resolved);
        if (event && !isSystem(event.streamId, event.type)) return event.position;
      }
    } catch (error) {
      throw unavailable('read the head position', error);
    }
    return undefined;
  }

  /** Reads the last event of `$all`, with a short deadline. */
  async ping(): Promise<void> {
    try {
      const read = this.client.readAll({
        fromPosition: END,
        direction: BACKWARDS,
        maxCount: 1,
        deadline: PING_TIMEOUT_MS,
      });
      for await (const _ of read) break;
    } catch (error) {
      throw unavailable('ping', error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    // dispose() waits for every call the client made to finish; a call the server ended while no one
    // was reading it (a subscription dropped mid-stream) never does, so it gets a moment, not forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.dispose(),
      new Promise((resolve) => (timer = setTimeout(resolve, DISPOSE_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
}
