import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../ports/event-store.port.js';
import { silentLogger, type AppLogger } from '../ports/logger.port.js';
import { noTelemetry, type Telemetry } from '../ports/telemetry.port.js';

/** The UUIDv5 namespace of SCS's event ids (fixed once, never to change: ids must stay reproducible). */
const EVENT_ID_NAMESPACE = '3c1f6a52-8b0e-4c59-9a67-2f4d8e1b7c30';

/**
 * The id of an event decided for a given place in a stream: the same decision (stream, revision, type,
 * data) always gets the same id, so appending it again after an answer was lost is recognised by the
 * store as the same append, not written twice. Metadata is left out: it carries a fresh causation id.
 */
export function decidedEventId(streamId: string, revision: number, event: Pick<NewEvent, 'type' | 'data'>): string {
  return uuidv5(`${streamId}\n${revision}\n${event.type}\n${JSON.stringify(event.data)}`, EVENT_ID_NAMESPACE);
}

/**
 * `events` with the ids an append gives them (theirs if set): deterministic where the expected revision
 * places them (`decidedEventId`), random otherwise.
 */
export function withEventIds<E extends NewEvent>(
  streamId: string,
  events: E[],
  expected: ExpectedRevision,
): Array<E & { id: string }> {
  const first = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : undefined;
  return events.map((e, i) => ({
    ...e,
    id: e.id ?? (first === undefined ? randomUUID() : decidedEventId(streamId, first + i, e)),
  }));
}

/**
 * Gives every append ids before its first attempt (deterministic where the expected revision places
 * the events), and repeats an append whose outcome is unknown because the store could not be reached.
 * With the same ids a repeat is safe: the store either has the first attempt and answers with its
 * result, or has nothing and writes it, or has something else and refuses the expected revision.
 */
export class RetryingAppends implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly options: {
      attempts?: number;
      baseDelayMs?: number;
      logger?: AppLogger;
      telemetry?: Telemetry;
    } = {},
  ) {}

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const withIds = withEventIds(streamId, events, expected);
    const attempts = this.options.attempts ?? 4;
    const telemetry = this.options.telemetry ?? noTelemetry;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const result = await this.inner.append(streamId, withIds, expected);
        telemetry.appended('succeeded', seconds());
        return result;
      } catch (error) {
        const outcome =
          error instanceof EventStoreUnavailableError
            ? 'unavailable'
            : error instanceof WrongExpectedRevisionError
              ? 'conflict'
              : 'failed';
        telemetry.appended(outcome, seconds());
        if (!(error instanceof EventStoreUnavailableError) || attempt >= attempts) throw error;
        const delay = (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1);
        (this.options.logger ?? silentLogger).warn(
          `append to ${streamId}: ${error.message}; trying again in ${delay} ms with the same event ids`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  readStream(streamId: string, options?: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<GlobalPosition | undefined> {
    return this.inner.headPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
