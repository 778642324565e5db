import type { EventStore, RecordedEvent } from '../../ports/event-store.port.js';
import { toFoldable } from '../school-stream.js';
import { schoolIdFromStream, schoolStreamId, SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { Projection } from '../../projections/projection.js';
import { rowsOf, type Queryable } from '../../projections/queryable.js';
import type { Writes } from '../../projections/writes.js';
import { evolveView, foldView } from './evolve-view.js';
import { SCHOOL_VIEW_VERSION, type SchoolView } from './school-view.js';

const READ_MODEL_CHECKPOINT = 'school-read-model';
const TABLE = 'school_read_model';

/**
 * Projects school events into `school_read_model`: one `SchoolView` per school, folded by the pure
 * `evolveView`. Rows carry the stream revision they were built to, so an event delivered twice changes
 * nothing. Rows also carry their document version: a table holding rows of another version (an older
 * shape) is rebuilt before the projection follows new events.
 */
export const schoolReadModel: Projection = {
  name: READ_MODEL_CHECKPOINT,
  tables: [TABLE],
  streamPrefix: SCHOOL_STREAM_PREFIX,
  apply: (db, tables, events, { store, writes }) => applyBatch(db, store, writes, tables[TABLE], events),
  needsRebuild: async (db) => {
    const sql = `SELECT 1 FROM ${TABLE} WHERE document_version <> $1 LIMIT 1`;
    return (await rowsOf(db, sql, [SCHOOL_VIEW_VERSION])).length > 0;
  },
};

/** Folds a batch of events into rows of `table`. */
async function applyBatch(db: Queryable, store: EventStore, writes: Writes, table: string, events: RecordedEvent[]) {
  const ids = [...new Set(events.map((e) => schoolIdFromStream(e.streamId)).filter((id): id is string => !!id))];
  const rows = ids.length
    ? await rowsOf<{ id: string; document: SchoolView; version: string }>(
        db,
        `SELECT id::text AS id, document, document_version AS version FROM ${table}
       WHERE id = ANY($1::uuid[]) FOR UPDATE`,
        [ids],
      )
    : [];
  const views = new Map<string, SchoolView | undefined>();
  for (const row of rows) {
    // A row of another shape is never read as a view: the school is folded again from its stream.
    views.set(row.id, row.version === SCHOOL_VIEW_VERSION ? row.document : await viewBefore(store, row.id, events));
  }
  const touched = new Set<string>();
  for (const event of events) {
    const id = schoolIdFromStream(event.streamId);
    if (!id) continue;
    const current = views.get(id);
    if (current && event.revision <= current.revision) continue; // already projected
    if (!current && event.type !== 'SchoolRequested') continue;
    views.set(id, evolveView(current, toFoldable(event)));
    touched.add(id);
  }
  await upsert(
    writes,
    table,
    [...touched].map((id) => views.get(id)).filter((v): v is SchoolView => !!v),
  );
}

/** The school's view just before the first of `events` that belongs to it. */
async function viewBefore(store: EventStore, id: string, events: RecordedEvent[]): Promise<SchoolView | undefined> {
  const first = events.find((e) => e.streamId === schoolStreamId(id))!;
  const history = await store.readStream(first.streamId);
  return foldView(history.filter((e) => e.revision < first.revision).map(toFoldable));
}

/** Writes the views in one statement; a row already at a later revision (and this version) is kept. */
async function upsert(writes: Writes, table: string, views: SchoolView[]): Promise<void> {
  if (views.length === 0) return;
  const rows = views.map((v) => ({
    id: v.id,
    slug: v.slug,
    name: v.name,
    district: v.district,
    board: v.board,
    admin_email: v.adminEmail,
    phone: v.phone,
    database_name: v.databaseName,
    subdomain: v.subdomain,
    status: v.status,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
    revision: v.revision,
    document: v,
    document_version: SCHOOL_VIEW_VERSION,
    schema_version: v.schemaVersion ?? null,
  }));
  const columns = Object.keys(rows[0]).join(', ');
  await writes.add({
    table,
    text: `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, district = EXCLUDED.district, board = EXCLUDED.board,
       admin_email = EXCLUDED.admin_email, phone = EXCLUDED.phone, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
       revision = EXCLUDED.revision, document = EXCLUDED.document, document_version = EXCLUDED.document_version,
       schema_version = EXCLUDED.schema_version
     WHERE ${table}.revision < EXCLUDED.revision OR ${table}.document_version <> EXCLUDED.document_version`,
    params: [JSON.stringify(rows)],
  });
}
