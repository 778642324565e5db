import {
  ANY,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type EventData,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventMetadata, ExpectedRevision, NewEvent, RecordedEvent } from '../../../ports/event-store.port.js';

/** The port's expected revision as the server's stream state. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
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

/** A new event as the server takes it, with our id when we have one (the server's idempotence key). */
export function toProposed(event: NewEvent): EventData {
  return jsonEvent({
    ...(event.id ? { id: event.id } : {}),
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
}

/** The event as the port hands it out; undefined for a link without its event, or one not stored as JSON. */
export function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
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

/** A stream or event of the server's own (`$`-prefixed), never one of ours. */
const isSystem = (event: RecordedEvent) => event.streamId.startsWith('$') || event.type.startsWith('$');

/** An event of ours in a stream the reader asked for (all of them when `streamPrefix` is undefined). */
export function isWanted(event: RecordedEvent | undefined, streamPrefix: string | undefined): event is RecordedEvent {
  if (!event || isSystem(event)) return false;
  return streamPrefix === undefined || event.streamId.startsWith(streamPrefix);
}
