/**
 * The event store port. Adapters: `adapters/event-store/postgres` (embedded default, CI) and
 * `adapters/event-store/eventstoredb` (production). Revisions count from 0 within a stream, as
 * in EventStoreDB. A global position orders every event of the store the way a subscriber must see
 * them: `commit` then `prepare`, compared as numbers (EventStoreDB's own pair; the PostgreSQL adapter
 * uses transaction id and sequence number, so that late commits are never skipped).
 */
export interface GlobalPosition {
  commit: bigint;
  prepare: bigint;
}

export interface EventMetadata {
  /** Who asked: the API key's id, `process-manager`, `cli`, … */
  actor: string;
  correlationId: string;
  causationId?: string;
  /** ISO time at which the event was decided (the domain's clock comes in as data). */
  now: string;
  [key: string]: unknown;
}

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** A deterministic id makes a retried append idempotent; a random UUID is used when absent. */
  id?: string;
}

export interface RecordedEvent {
  id: string;
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  revision: number;
  position: GlobalPosition;
  recordedAt: Date;
}

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's last revision. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event appended (the expected revision for the next append). */
  nextExpectedRevision: number;
  position: GlobalPosition;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot be reached right now (connection lost, leader changing); the call may be retried. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Absent: from the first event. */
  after?: GlobalPosition;
  maxCount?: number;
  /** Only streams whose id starts with this prefix (e.g. `school-`). */
  streamPrefix?: string;
}

export type SubscribeOptions = {
  after?: GlobalPosition;
  streamPrefix?: string;
  /** Called when the subscription stops because of an error (handler or store). */
  onError?: (error: unknown) => void;
} & (
  | {
      /** Called once per event, in position order, never concurrently; a rejection stops the subscription. */
      handler: (event: RecordedEvent) => Promise<void>;
      handleBatch?: never;
    }
  | {
      /**
       * Called with the events the store had ready together (in position order, at least one), never
       * concurrently; a rejection stops the subscription. For a subscriber that writes in transactions:
       * one per batch instead of one per event.
       */
      handleBatch: (events: RecordedEvent[]) => Promise<void>;
      handler?: never;
    }
);

/**
 * Hands `events` (in position order) to the subscriber: all at once to a batch handler, else one by one
 * until `stopped()`. Returns how many it took; a handler's rejection is thrown.
 */
export async function deliverEvents(
  options: SubscribeOptions,
  events: RecordedEvent[],
  stopped: () => boolean,
): Promise<number> {
  if (events.length === 0 || stopped()) return 0;
  if (options.handleBatch) {
    await options.handleBatch(events);
    return events.length;
  }
  let taken = 0;
  for (const event of events) {
    if (stopped()) break;
    await options.handler(event);
    taken++;
  }
  return taken;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream's events in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * The position of the last event a reader of the whole log can see (undefined: no events yet), so
   * that progress bars and projection lag size themselves from the store, whichever store it is.
   */
  headPosition(): Promise<GlobalPosition | undefined>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Throws when the store cannot be reached (used by GET /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
