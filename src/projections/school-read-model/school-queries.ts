import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.port.js';
import { toFoldable } from '../../application/school/school-stream.js';
import { schoolStreamId } from '../../domain/school/events.js';
import { foldView } from './evolve-view.js';
import { presentSchool, SCHOOL_VIEW_VERSION, type SchoolView } from './school-view.js';

export interface SchoolFilters {
  status?: string;
  district?: string;
  board?: string;
  schemaVersion?: string;
  limit: number;
  offset: number;
}

interface Row {
  id: string;
  document: SchoolView;
  version: string;
}

const COLUMNS = 'id::text AS id, document, document_version AS version';
const FILTERS = [
  ['status', 'status'],
  ['district', 'district'],
  ['board', 'board'],
  ['schemaVersion', 'schema_version'],
] as const;

/**
 * Each query is a named (prepared) statement, parsed and planned once per connection. The order is the
 * table's `id` (a uuid), not the `id` text column of the answer, so a page is read from the index
 * `(created_at, id)` (or `(<filter>, created_at, id)`) and stops after `limit` rows.
 */
function listStatement(filters: SchoolFilters): { name: string; text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [key, column] of FILTERS) {
    if (filters[key] === undefined) continue;
    values.push(filters[key]);
    where.push(`${column} = $${values.length}`);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const page = `SELECT ${COLUMNS} FROM school_read_model ${clause}
    ORDER BY created_at, school_read_model.id LIMIT $${values.length + 1} OFFSET $${values.length + 2}`;
  // One round trip: the total beside the page, and one row with no school when the page is empty.
  const text = `SELECT (SELECT count(*)::int FROM school_read_model ${clause}) AS total, p.*
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (${page}) AS p ON true`;
  const name = `school-list:${FILTERS.filter(([key]) => filters[key] !== undefined)
    .map(([key]) => key)
    .join(',')}`;
  return { name, text, values: [...values, filters.limit, filters.offset] };
}

export class SchoolQueries {
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly store: EventStore,
  ) {}

  /**
   * The read model's row; when the projection has not caught up yet (right after a POST), the
   * school's own stream answers instead, so a 202's Location never gives a 404.
   */
  async get(id: string): Promise<SchoolView | undefined> {
    const { rows } = await this.pool.query<Row>({
      name: 'school-get',
      text: `SELECT ${COLUMNS} FROM school_read_model WHERE id = $1`,
      values: [id],
    });
    return rows[0] ? this.fromRow(rows[0]) : this.fromStream(id);
  }

  /** The school as it was at `asOf`: its stream folded up to the last event recorded at or before then. */
  async asOf(id: string, asOf: Date): Promise<{ exists: boolean; eventCount: number; view?: SchoolView }> {
    const events = await this.store.readStream(schoolStreamId(id));
    if (events.length === 0) return { exists: false, eventCount: 0 };
    const upTo = events.filter((e) => e.recordedAt.getTime() <= asOf.getTime());
    const view = foldView(upTo.map(toFoldable));
    return { exists: true, eventCount: upTo.length, view: view && presentSchool(view) };
  }

  async list(filters: SchoolFilters): Promise<{ items: SchoolView[]; total: number; limit: number; offset: number }> {
    const { rows } = await this.pool.query<Partial<Row> & { total: number }>(listStatement(filters));
    const page = rows.filter((row): row is Row & { total: number } => row.id !== null);
    const items = await Promise.all(page.map(async (row) => (await this.fromRow(row))!));
    return { items, total: rows[0].total, limit: filters.limit, offset: filters.offset };
  }

  /** A row of another document version is never read as a view: the school's stream answers instead. */
  private async fromRow(row: Row): Promise<SchoolView | undefined> {
    return row.version === SCHOOL_VIEW_VERSION ? presentSchool(row.document) : this.fromStream(row.id);
  }

  private async fromStream(id: string): Promise<SchoolView | undefined> {
    const view = foldView((await this.store.readStream(schoolStreamId(id))).map(toFoldable));
    return view && presentSchool(view);
  }
}
