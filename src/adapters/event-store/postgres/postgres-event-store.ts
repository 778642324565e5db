import type pg from 'pg';
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
import { CatchUpSubscription } from './catch-up-subscription.js';
import { NotificationListener } from './notification-listener.js';
import { appendEvents, appendWithClient } from './postgres-append.js';
import { PostgresEventReader } from './postgres-event-reader.js';

/**
 * The event store on PostgreSQL. Appends check the stream's revision in `scs_streams`
 * (postgres-append.ts). Readers of the whole log see only events of transactions below the horizon
 * (transaction-horizon.ts: all of them finished) ordered by (transaction id, sequence), so a transaction
 * that took its sequence numbers first but commits last is still delivered after the events already
 * read, never skipped (a reader by global sequence alone would skip it). Subscriptions
 * (catch-up-subscription.ts) wake on the NOTIFY of an append (notification-listener.ts) and poll.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly pollIntervalMs: number;
  private readonly logger: AppLogger;
  private readonly listener: NotificationListener;
  private readonly reader: PostgresEventReader;
  private readonly subscriptions = new OpenSubscriptions();

  constructor(options: { pool: pg.Pool; pollIntervalMs?: number; logger?: AppLogger }) {
    this.pool = options.pool;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.logger = options.logger ?? silentLogger;
    this.listener = new NotificationListener(this.pool.options, this.logger);
    this.reader = new PostgresEventReader(this.pool);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return appendEvents(this.pool, streamId, events, expected);
  }

  /** The append on `client`, inside whatever transaction it holds open (tests, the rebuild bench). */
  appendWithClient(
    client: pg.ClientBase,
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return appendWithClient(client, streamId, events, expected);
  }

  readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    return this.reader.readStream(streamId, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.reader.readPage(options, false)).events;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const deps = {
      reader: this.reader,
      listener: this.listener,
      pollIntervalMs: this.pollIntervalMs,
      logger: this.logger,
    };
    return this.subscriptions.add((onEnd) => new CatchUpSubscription(options, deps, onEnd));
  }

  headPosition(): Promise<GlobalPosition | undefined> {
    return this.reader.headPosition();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Stops the subscriptions and the LISTEN connection; the pool belongs to the caller. */
  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    await this.listener.close();
  }
}
