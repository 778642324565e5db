import type { DataSource } from 'typeorm';
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

export class SchoolQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
  ) {}

  /**
   * The read model's row; when the projection has not caught up yet (right after a POST), the
   * school's own stream answers instead, so a 202's Location never gives a 404.
   */
  async get(id: string): Promise<SchoolView | undefined> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT id::text AS id, document, document_version AS version FROM school_read_model WHERE id = $1',
      [id],
    );
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
    const where: string[] = [];
    const params: unknown[] = [];
    const columns = {
      status: 'status',
      district: 'district',
      board: 'board',
      schemaVersion: 'schema_version',
    } as const;
    for (const key of ['status', 'district', 'board', 'schemaVersion'] as const) {
      if (filters[key] !== undefined) {
        params.push(filters[key]);
        where.push(`${columns[key]} = $${params.length}`);
      }
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM school_read_model ${clause}`,
      params,
    );
    const rows: Row[] = await this.dataSource.query(
      `SELECT id::text AS id, document, document_version AS version FROM school_read_model ${clause}
       ORDER BY created_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    const items = await Promise.all(rows.map(async (row) => (await this.fromRow(row))!));
    return { items, total, limit: filters.limit, offset: filters.offset };
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
