import { isSchoolId, schoolIdFromStream, schoolStreamId } from '../domain/school/events.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';
import type { RegistryEntry, SchoolRegistry } from '../ports/school-registry.port.js';

/** A column of a projection's row that is not what the events give (`(row)`: a row missing or extra). */
export interface RowMismatch {
  table: string;
  /** The row's primary key, column by column. */
  key: Record<string, unknown>;
  column: string;
  expected: unknown;
  actual: unknown;
}

type Mismatch =
  | { kind: 'revisions' | 'registry'; streamId: string; detail: string }
  | ({ kind: 'projection'; streamId?: string; detail: string } & RowMismatch);

/** What verify compares the events with. The folds are the projections' own (given, not imported). */
export interface VerifyDeps {
  store: EventStore;
  registry: SchoolRegistry;
  /** Every projection row compared column by column with the rows its events fold to. */
  projectionRows: () => Promise<RowMismatch[]>;
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
 * projection row (the read model's and the reports') is compared column by column with the rows the
 * events give; every school is folded again and compared with its registry row; a registry row without a
 * school is a mismatch too.
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
  mismatches.push(...(await deps.projectionRows()).map(projectionMismatch));
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

function projectionMismatch(row: RowMismatch): Mismatch {
  const schoolId = Object.values(row.key).find((v): v is string => typeof v === 'string' && isSchoolId(v));
  const key = Object.entries(row.key)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  const detail = `${row.table} ${key} ${row.column}: expected ${JSON.stringify(row.expected)}, actual ${JSON.stringify(row.actual)}`;
  return { kind: 'projection', ...(schoolId ? { streamId: schoolStreamId(schoolId) } : {}), detail, ...row };
}
