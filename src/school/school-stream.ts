import type { SchoolCommand } from '../domain/school/commands.js';
import { decide } from '../domain/school/decide.js';
import type { SchoolEvent } from '../domain/school/events.js';
import { schoolStreamId } from '../domain/school/events.js';
import { fold, type FoldableEvent } from '../domain/school/evolve.js';
import type { SchoolState } from '../domain/school/state.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../ports/event-store.port.js';
import { WrongExpectedRevisionError } from '../ports/event-store.port.js';
import { withEventIds } from './retrying-appends.js';

export function toFoldable(event: RecordedEvent): FoldableEvent {
  return {
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    revision: event.revision,
  } as unknown as FoldableEvent;
}

export interface LoadedSchool {
  state?: SchoolState;
  events: RecordedEvent[];
}

export async function loadSchool(store: EventStore, schoolId: string): Promise<LoadedSchool> {
  const events = await store.readStream(schoolStreamId(schoolId));
  return { state: fold(events.map(toFoldable)), events };
}

/**
 * The command handler shell: read the stream, fold, decide, append with the expected revision.
 * A concurrent writer makes the append fail; the command is then decided again on the new state.
 * `known`: the stream as the caller has just read it, decided on first instead of reading it again
 * (the expected revision still refuses the append if the stream moved since). `loaded`: the stream
 * as this append left it (the appended events with the ids, revisions and position they were stored
 * with; their `recordedAt` is read from `clock`), for a caller that goes on deciding.
 */
export async function executeSchoolCommand(
  store: EventStore,
  schoolId: string,
  makeCommand: (state: SchoolState | undefined) => SchoolCommand,
  metadata: EventMetadata,
  options: { known?: LoadedSchool; maxConflicts?: number; clock: Clock },
): Promise<{ events: SchoolEvent[]; state?: SchoolState; loaded?: LoadedSchool }> {
  const maxConflicts = options.maxConflicts ?? 10;
  for (let conflict = 0; ; conflict++) {
    const { state, events: recorded } =
      conflict === 0 && options.known ? options.known : await loadSchool(store, schoolId);
    const events = decide(makeCommand(state), state);
    if (events.length === 0) return { events, state };
    const expected = recorded.length === 0 ? 'no_stream' : recorded[recorded.length - 1].revision;
    const streamId = schoolStreamId(schoolId);
    const first = expected === 'no_stream' ? 0 : expected + 1;
    // The ids RetryingAppends would give them, given here so that `loaded` carries them.
    const newEvents = events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata }));
    const appended = withEventIds(streamId, newEvents, expected);
    try {
      const { position } = await store.append(streamId, appended, expected);
      const after = fold(events, state);
      const recordedAt = options.clock.now();
      const stored = appended.map((e, i) => ({ ...e, streamId, revision: first + i, position, recordedAt }));
      return { events, state: after, loaded: { state: after, events: [...recorded, ...stored] } };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || conflict >= maxConflicts) throw error;
    }
  }
}
