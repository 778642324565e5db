import type { DataSource } from 'typeorm';
import type { EventStore } from '../../application/ports/event-store.port.js';
import { loadSchool } from '../../application/school/school-stream.js';
import type { SchoolState } from '../../domain/school/state.js';
import { toSchoolView, type SchoolView } from './school-view.js';

export interface SchoolFilters {
  status?: string;
  district?: string;
  board?: string;
  schemaVersion?: string;
  limit: number;
  offset: number;
}

export class SchoolQueries {
  constructor(private readonly dataSource: DataSource, private readonly store: EventStore) {}

  /**
   * The read model's row; when the projection has not caught up yet (right after a POST), the
   * school's own stream answers instead, so a 202's Location never gives a 404.
   */
  async get(id: string): Promise<SchoolView | undefined> {
    const rows: Array<{ document: SchoolState }> = await this.dataSource.query('SELECT document FROM school_read_model WHERE id = $1', [id]);
    if (rows[0]) return toSchoolView(rows[0].document);
    const { state } = await loadSchool(this.store, id);
    return state ? toSchoolView(state) : undefined;
  }

  async list(filters: SchoolFilters): Promise<{ items: SchoolView[]; total: number; limit: number; offset: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const columns = {
      status: 'status', district: 'district', board: 'board', schemaVersion: 'schema_version',
    } as const;
    for (const key of ['status', 'district', 'board', 'schemaVersion'] as const) {
      if (filters[key] !== undefined) {
        params.push(filters[key]);
        where.push(`${columns[key]} = $${params.length}`);
      }
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM school_read_model ${clause}`, params);
    const rows: Array<{ document: SchoolState }> = await this.dataSource.query(
      `SELECT document FROM school_read_model ${clause} ORDER BY created_at, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filters.limit, filters.offset],
    );
    return { items: rows.map((r) => toSchoolView(r.document)), total, limit: filters.limit, offset: filters.offset };
  }
}
