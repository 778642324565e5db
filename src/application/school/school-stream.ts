import type { SchoolCommand } from '../../domain/school/commands.js';
import { decide } from '../../domain/school/decide.js';
import type { SchoolEvent } from '../../domain/school/events.js';
import { schoolStreamId } from '../../domain/school/events.js';
import { fold, type FoldableEvent } from '../../domain/school/evolve.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.port.js';
import { WrongExpectedRevisionError } from '../ports/event-store.port.js';

export function toFoldable(event: RecordedEvent): FoldableEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    revision: event.revision,
  } as unknown as FoldableEvent;
}

export async function loadSchool(
  store: EventStore,
  schoolId: string,
): Promise<{ state?: SchoolState; events: RecordedEvent[] }> {
  const events = await store.readStream(schoolStreamId(schoolId));
  return { state: fold(events.map(toFoldable)), events };
}

/**
 * The command handler shell: read the stream, fold, decide, append with the expected revision.
 * A concurrent writer makes the append fail; the command is then decided again on the new state.
 */
export async function executeSchoolCommand(
  store: EventStore,
  schoolId: string,
  makeCommand: (state: SchoolState | undefined) => SchoolCommand,
  metadata: EventMetadata,
  maxConflicts = 10,
): Promise<{ events: SchoolEvent[]; state?: SchoolState }> {
  for (let conflict = 0; ; conflict++) {
    const { state, events: recorded } = await loadSchool(store, schoolId);
    const events = decide(makeCommand(state), state);
    if (events.length === 0) return { events, state };
    const expected = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1].revision;
    try {
      await store.append(
        schoolStreamId(schoolId),
        events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata })),
        expected,
      );
      return { events, state: fold(events, state) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || conflict >= maxConflicts) throw error;
    }
  }
}
