import { fold } from '../../domain/school/evolve.js';
import type { SchoolState } from '../../domain/school/state.js';
import { schoolStreamId } from '../../domain/school/events.js';
import type { EventStore } from '../ports/event-store.port.js';
import { toFoldable } from './school-stream.js';

export interface HistoryEntry {
  revision: number;
  type: string;
  time: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** A school's audit trail: every event of its stream in order. */
export async function schoolHistory(store: EventStore, schoolId: string): Promise<HistoryEntry[]> {
  const events = await store.readStream(schoolStreamId(schoolId));
  return events.map((e) => ({ revision: e.revision, type: e.type, time: e.recordedAt.toISOString(), data: e.data, metadata: e.metadata }));
}

/**
 * The school as it was at `asOf`: its stream replayed up to the last event recorded at or before
 * then. `exists: false` when the school had not been requested yet.
 */
export async function schoolAsOf(store: EventStore, schoolId: string, asOf: Date): Promise<{ exists: boolean; state?: SchoolState; eventCount: number }> {
  const events = await store.readStream(schoolStreamId(schoolId));
  if (events.length === 0) return { exists: false, eventCount: 0 };
  const upTo = events.filter((e) => e.recordedAt.getTime() <= asOf.getTime());
  const state = fold(upTo.map(toFoldable));
  return { exists: true, state, eventCount: upTo.length };
}
