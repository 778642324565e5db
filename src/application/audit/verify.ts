import { schoolIdFromStream, schoolStreamId } from '../../domain/school/events.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';
import type { RegistryEntry, SchoolRegistry } from '../ports/school-registry.port.js';

export interface Mismatch {
  kind: 'revisions' | 'read-model' | 'registry';
  streamId: string;
  detail: string;
}

/** What verify compares the events with. The fold is the read model's own (given, not imported). */
export interface VerifyDeps {
  store: EventStore;
  registry: SchoolRegistry;
  /** The school's stored read-model document (undefined: no row). */
  readModel: (schoolId: string) => Promise<unknown>;
  /** The read-model document the school's events fold to. */
  fold: (events: RecordedEvent[]) => unknown;
  /** Whether the folded document says the school's registry row should exist, and what it holds. */
  expectedRegistry: (folded: unknown) => Partial<RegistryEntry> | undefined;
}

export interface VerifyReport {
  events: number;
  streams: number;
  schools: number;
  mismatches: Mismatch[];
}

/**
 * Replays the whole log: every stream's revisions run 0, 1, 2, … in store order without a gap; every
 * school is folded again and compared with its read-model row and its registry row; a registry row
 * without a school is a mismatch too.
 */
export async function verifyStore(
  deps: VerifyDeps,
  onProgress?: (position: GlobalPosition, events: number) => void,
): Promise<VerifyReport> {
  const mismatches: Mismatch[] = [];
  const last = new Map<string, number>();
  let position: GlobalPosition | undefined;
  let events = 0;
  for (;;) {
    const page = await deps.store.readAll({ after: position, maxCount: 1000 });
    if (page.length === 0) break;
    for (const event of page) {
      const expected = (last.get(event.streamId) ?? -1) + 1;
      if (event.revision !== expected) {
        const detail = `revision ${event.revision} where ${expected} was expected`;
        mismatches.push({ kind: 'revisions', streamId: event.streamId, detail });
      }
      last.set(event.streamId, event.revision);
    }
    events += page.length;
    position = page[page.length - 1].position;
    onProgress?.(position, events);
  }
  const schools = [...last.keys()].map(schoolIdFromStream).filter((id): id is string => id !== undefined);
  const registered = new Map((await deps.registry.list()).map((entry) => [entry.schoolId, entry]));
  for (const id of schools) {
    const streamId = schoolStreamId(id);
    const folded = deps.fold(await deps.store.readStream(streamId));
    const stored = await deps.readModel(id);
    if (canonical(stored) !== canonical(folded)) {
      const detail = stored === undefined ? 'no read-model row' : `read-model row differs: ${diff(stored, folded)}`;
      mismatches.push({ kind: 'read-model', streamId, detail });
    }
    const expected = deps.expectedRegistry(folded);
    const row = registered.get(id);
    registered.delete(id);
    if (!expected !== !row) {
      const detail = row ? 'a registry row, but the events say none' : 'no registry row, but the events say registered';
      mismatches.push({ kind: 'registry', streamId, detail });
    } else if (expected && row) {
      const differing = Object.entries(expected).filter(([k, v]) => row[k as keyof RegistryEntry] !== v);
      if (differing.length > 0) {
        const detail = `registry row differs in ${differing.map(([k]) => k).join(', ')}`;
        mismatches.push({ kind: 'registry', streamId, detail });
      }
    }
  }
  for (const id of registered.keys()) {
    mismatches.push({ kind: 'registry', streamId: schoolStreamId(id), detail: 'a registry row without events' });
  }
  return { events, streams: last.size, schools: schools.length, mismatches };
}

/** JSON with keys sorted, so that a document stored as jsonb compares equal to the same object. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

function diff(stored: unknown, folded: unknown): string {
  const a = (stored ?? {}) as Record<string, unknown>;
  const b = (folded ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => canonical(a[k]) !== canonical(b[k])).join(', ') || 'shape';
}
