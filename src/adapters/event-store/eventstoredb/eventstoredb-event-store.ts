import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../../ports/event-store.port.js';
import { OpenSubscriptions } from '../open-subscriptions.js';
import { silentLogger, type AppLogger } from '../../../ports/logger.port.js';
import { kurrentConnectionString } from './kurrent-connection-string.js';
import { appendError } from './kurrent-errors.js';
import { toProposed, toStreamState } from './kurrent-events.js';
import { headPosition, ping, readAll, readStream } from './kurrent-reads.js';
import { ResumingSubscription } from './resuming-subscription.js';

const DISPOSE_WAIT_MS = 1_000;

/**
 * The event store on KurrentDB or EventStoreDB 20+ (`@kurrent/kurrentdb-client`, gRPC; its reads go through
 * the client's Rust bridge, its appends and subscriptions through grpc-js). Appends map the port's expected
 * revision to the server's and carry our deterministic event ids, so a retried append is answered by
 * the server's idempotence check instead of writing twice. Reads of `$all` and subscriptions skip the
 * server's own `$` events (kurrent-reads.ts). Subscriptions resume from the last event they handled when
 * the connection drops, with backoff (resuming-subscription.ts).
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly logger: AppLogger;
  private readonly retryMaxMs: number;
  private readonly subscriptions = new OpenSubscriptions();

  constructor(options: { connectionString: string; logger?: AppLogger; retryMaxMs?: number }) {
    this.client = KurrentDBClient.connectionString(kurrentConnectionString(options.connectionString));
    this.logger = options.logger ?? silentLogger;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const proposed = events.map(toProposed);
    try {
      const result = await this.client.appendToStream(streamId, proposed, { streamState: toStreamState(expected) });
      const next = Number(result.nextExpectedRevision);
      const position =
        result.position ?? (await this.readStream(streamId, { fromRevision: next, maxCount: 1 }))[0]?.position;
      if (!position) throw new Error(`append to ${streamId}: the server returned no position`);
      return { nextExpectedRevision: next, position: { commit: position.commit, prepare: position.prepare } };
    } catch (error) {
      throw appendError(streamId, expected, error);
    }
  }

  readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    return readStream(this.client, streamId, options);
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return readAll(this.client, options);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const deps = {
      client: this.client,
      logger: this.logger,
      retryMaxMs: this.retryMaxMs,
    };
    return this.subscriptions.add((onEnd) => new ResumingSubscription(options, deps, onEnd));
  }

  headPosition(): Promise<GlobalPosition | undefined> {
    return headPosition(this.client);
  }

  ping(): Promise<void> {
    return ping(this.client);
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
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
