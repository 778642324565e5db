import type { RecordedEvent } from '../ports/event-store.port.js';
import { schoolIdFromStream } from '../domain/school/events.js';
import { rowsOf, type Queryable } from './queryable.js';
import type { ViewEvent } from './view-event.js';
import type { Writes } from './writes.js';

/**
 * The shell of a projection keeping one row per school (`school_id` its key): reads the rows of the
 * batch's schools, folds the pure `evolve` over the events, writes the changed rows in one statement (to `writes`).
 */
export async function foldRowsBySchool<Row extends { school_id: string }>(
  db: Queryable,
  writes: Writes,
  table: string,
  events: RecordedEvent[],
  evolve: (row: Row | undefined, event: ViewEvent) => Row | undefined,
  /** Each change of a row, event by event (whatever the batch's bounds), before it is written. */
  onChange?: (before: Row | undefined, after: Row) => void,
): Promise<void> {
  const ids = [...new Set(events.map((e) => schoolIdFromStream(e.streamId)).filter((id): id is string => !!id))];
  if (ids.length === 0) return;
  const select = `SELECT to_jsonb(t) AS row FROM ${table} t WHERE school_id = ANY($1::uuid[]) FOR UPDATE`;
  const stored = (await rowsOf<{ row: Row }>(db, select, [ids])).map((r) => r.row);
  const rows = new Map(stored.map((row) => [row.school_id, row]));
  const touched = new Set<string>();
  for (const event of events) {
    const id = schoolIdFromStream(event.streamId);
    if (!id) continue;
    const next = evolve(rows.get(id), toViewEvent(event));
    if (next && next !== rows.get(id)) {
      onChange?.(rows.get(id), next);
      rows.set(id, next);
      touched.add(id);
    }
  }
  if (touched.size === 0) return;
  await insertRows(
    writes,
    table,
    [...touched].map((id) => rows.get(id)!),
    'school_id',
  );
}

/**
 * Inserts rows (objects keyed by column) in one statement; on a key conflict, updates them (or skips).
 * The statement goes to `writes`: it may be sent later, with the batch's other writes.
 * The rows travel as `json`, not `jsonb`: PostgreSQL reads them once either way, and json skips
 * building a jsonb value first (a rebuild's inserts took ~25% less time).
 */
export async function insertRows(
  writes: Writes,
  table: string,
  rows: object[],
  conflictKey: string,
  update = true,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const set = columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  await writes.add({
    table,
    text: `INSERT INTO ${table} (${columns.join(', ')})
     SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1::json)
     ON CONFLICT (${conflictKey}) DO ${update ? `UPDATE SET ${set}` : 'NOTHING'}`,
    params: [JSON.stringify(rows)],
  });
}

export function toViewEvent(event: RecordedEvent): ViewEvent {
  const now = typeof event.metadata?.now === 'string' ? event.metadata.now : event.recordedAt.toISOString();
  return { type: event.type, data: event.data, metadata: { now }, revision: event.revision } as unknown as ViewEvent;
}
