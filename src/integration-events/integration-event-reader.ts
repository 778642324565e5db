import { schoolIdFromStream } from '../domain/school/events.js';
import { evolve } from '../domain/school/evolve.js';
import type { SchoolState } from '../domain/school/state.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.port.js';
import { toFoldable } from '../school/school-stream.js';
import {
  makesIntegrationEvent,
  toIntegrationEvent,
  type IntegrationEvent,
  type SourceEvent,
} from './integration-events.js';

const KEPT_SCHOOLS = 1000;

/**
 * The integration event a recorded school event makes, for a subscriber reading the log in order. The
 * mapping needs the school as it is right after the event: the reader keeps the last state it folded per
 * school and reads only the events in between (a whole stream the first time it meets a school).
 */
export class IntegrationEventReader {
  private readonly states = new Map<string, { revision: number; state: SchoolState | undefined }>();

  constructor(
    private readonly store: EventStore,
    private readonly source: string,
  ) {}

  /**
   * Give it every school event in store order (those that make none too): an event right after the last one
   * it folded for its school is folded in memory, so a subscriber reads a stream only when it first meets
   * a school (or missed some of its events).
   */
  async of(event: RecordedEvent): Promise<IntegrationEvent | undefined> {
    const schoolId = schoolIdFromStream(event.streamId);
    if (!schoolId) return undefined;
    const kept = this.states.get(schoolId);
    // The next event of a school it knows, or a school's first: folded here, nothing read.
    if (kept ? kept.revision === event.revision - 1 : event.revision === 0)
      this.keep(schoolId, event.revision, evolve(kept?.state, toFoldable(event)));
    if (!makesIntegrationEvent(event.type)) return undefined;
    const state = await this.stateAt(schoolId, event);
    if (!state) return undefined;
    return toIntegrationEvent({ ...event, metadata: event.metadata } as unknown as SourceEvent, state, this.source);
  }

  private async stateAt(schoolId: string, event: RecordedEvent): Promise<SchoolState | undefined> {
    const kept = this.states.get(schoolId);
    if (kept?.revision === event.revision) return kept.state;
    let state = kept && kept.revision < event.revision ? kept.state : undefined;
    const fromRevision = kept && kept.revision < event.revision ? kept.revision + 1 : 0;
    const events = await this.store.readStream(event.streamId, {
      fromRevision,
      maxCount: event.revision - fromRevision + 1,
    });
    for (const e of events) state = evolve(state, toFoldable(e));
    this.keep(schoolId, event.revision, state);
    return state;
  }

  private keep(schoolId: string, revision: number, state: SchoolState | undefined): void {
    this.states.delete(schoolId);
    this.states.set(schoolId, { revision, state });
    if (this.states.size > KEPT_SCHOOLS) this.states.delete(this.states.keys().next().value!);
  }
}
