import { schoolStreamId } from '../../domain/school/events.js';
import type { EventStore } from '../../ports/event-store.port.js';

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
  return events.map((e) => ({
    revision: e.revision,
    type: e.type,
    time: e.recordedAt.toISOString(),
    data: e.data,
    metadata: e.metadata,
  }));
}
