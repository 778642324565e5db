import { randomUUID } from 'node:crypto';
import type { SchoolState } from '../domain/school/state.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventMetadata } from '../ports/event-store.port.js';
import type { SpanAttributes } from '../ports/tracing.port.js';
import type { LoadedSchool } from '../school/school-stream.js';

interface RequestContext {
  correlationId: string;
  traceparent?: unknown;
  causationId?: string;
}

/**
 * The request each school's work belongs to: its correlation id and trace context, carried by every event
 * the process manager writes for the school, each caused by the school's last event.
 */
export class SchoolRequests {
  private readonly bySchool = new Map<string, RequestContext>();

  constructor(private readonly clock: Clock) {}

  /** Remembers the request the school's next action belongs to, from its stream as just read. */
  remember(schoolId: string, { state, events }: LoadedSchool): void {
    // A restore's steps belong to its own request (and trace), not the school's first one.
    const restoreRequest = state?.restore && events.findLast((e) => e.type === 'SchoolRestoreRequested');
    const request = (restoreRequest || events[0])?.metadata;
    const correlationId = request?.correlationId ?? schoolId;
    // What the process manager appends next is caused by the school's last event (the one it reacts to).
    const causationId = events[events.length - 1]?.id;
    this.bySchool.set(schoolId, { correlationId, traceparent: request?.traceparent, causationId });
  }

  /** The school has nothing to do: its entry is not needed any more. */
  forget(schoolId: string): void {
    this.bySchool.delete(schoolId);
  }

  correlationIdOf(schoolId: string): string | undefined {
    return this.bySchool.get(schoolId)?.correlationId;
  }

  /** The metadata of the next event the process manager writes for the school. */
  metadata(schoolId: string): EventMetadata {
    const { correlationId, traceparent, causationId } = this.bySchool.get(schoolId) ?? { correlationId: schoolId };
    const trace = typeof traceparent === 'string' ? { traceparent } : {};
    const now = this.clock.now().toISOString();
    return { actor: 'process-manager', correlationId, ...trace, causationId: causationId ?? randomUUID(), now };
  }
}

/** A span about the school, continuing the trace its request's events carry (`traceparent`). */
export function schoolSpan(state: SchoolState, metadata: EventMetadata, attributes: SpanAttributes = {}) {
  const traceparent = typeof metadata.traceparent === 'string' ? metadata.traceparent : undefined;
  const school = { 'scs.school.id': state.id, 'scs.school.slug': state.details.slug };
  return { traceparent, attributes: { ...school, ...attributes } };
}
