import { encodeCursor } from '../audit/audit-log.js';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../ports/event-store.port.js';
import { SCHOOL_STREAM_PREFIX } from '../domain/school/events.js';
import { IntegrationEventReader } from './integration-event-reader.js';
import { integrationTypeOf, type IntegrationEvent, type IntegrationEventType } from './integration-events.js';

/** What a live stream's client asked for: some types (absent: every one), one school (absent: all). */
export interface StreamFilter {
  types?: readonly IntegrationEventType[];
  schoolId?: string;
}

/**
 * Where a stream's events go, each with its cursor (the event's position in the store, opaque: the
 * `Last-Event-ID` a client resumes from). `send` resolves once the client can take more and rejects to
 * end the stream (the client fell behind or went away): the store is not read meanwhile, so nothing
 * waits in memory but the one socket's buffer.
 */
export interface StreamSink {
  send(event: IntegrationEvent, cursor: string): Promise<void>;
}

export interface StreamParts {
  store: EventStore;
  /** The CloudEvents `source` of every event. */
  source: string;
}

/**
 * The integration events recorded after `after` (absent: after the store's head now), in store order,
 * those the filter keeps, to `sink`, live; its own subscription, so a slow client holds back only itself.
 */
export async function streamIntegrationEvents(
  parts: StreamParts,
  filter: StreamFilter,
  after: GlobalPosition | undefined,
  sink: StreamSink,
  onEnd: (error: unknown) => void,
): Promise<Subscription> {
  const from = after ?? (await parts.store.headPosition());
  const reader = new IntegrationEventReader(parts.store, parts.source);
  const wanted = (event: RecordedEvent) => {
    const type = integrationTypeOf(event.type);
    return type !== undefined && (!filter.types || filter.types.includes(type));
  };
  // Every event goes through the reader (which folds each school in memory as it goes); only those wanted
  // are mapped and sent.
  return parts.store.subscribeToAll({
    after: from,
    // A school id has a fixed length: its stream's id is then a prefix no other stream has.
    streamPrefix: filter.schoolId ? `${SCHOOL_STREAM_PREFIX}${filter.schoolId}` : SCHOOL_STREAM_PREFIX,
    handler: async (event) => {
      const integration = await reader.of(event);
      if (integration && wanted(event)) await sink.send(integration, encodeCursor(event.position));
    },
    onError: onEnd,
  });
}
