import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { Projection } from '../../projections/projection.js';
import { rowsOf } from '../../projections/queryable.js';
import { foldRowsBySchool } from '../../projections/rows.js';
import { countsOf, evolveFleet, type FleetCount, type FleetRow } from './fleet-view.js';

const TABLE = 'report_fleet';
/** The schools per status, district, board, schema version and certificate (central migration 0041). */
export const COUNTS_TABLE = 'report_fleet_counts';

export const fleet: Projection = {
  name: 'fleet',
  tables: [TABLE, COUNTS_TABLE],
  streamPrefix: SCHOOL_STREAM_PREFIX,
  apply: async (db, tables, events, { writes }) => {
    const counts = new Map<string, FleetCount>();
    const change = (before: FleetRow | undefined, after: FleetRow) => countsOf(counts, before, after);
    await foldRowsBySchool(db, writes, tables[TABLE], events, evolveFleet, change);
    if (counts.size === 0) return;
    // Added to what is there; a combination seen for the first time gets its row, even at 0.
    const table = tables[COUNTS_TABLE];
    await writes.add({
      table,
      text: `INSERT INTO ${table} AS t (status, district, board, schema_version, with_certificate, n)
        SELECT status, district, board, schema_version, with_certificate, n
          FROM json_populate_recordset(NULL::${table}, $1::json)
        ON CONFLICT (status, district, board, schema_version, with_certificate)
        DO UPDATE SET n = t.n + EXCLUDED.n WHERE EXCLUDED.n <> 0`,
      params: [JSON.stringify([...counts.values()])],
    });
  },
  // A fleet counted before central migration 0041: its counts are made by a rebuild from the first event.
  needsRebuild: async (db) => {
    const sql = `SELECT EXISTS (SELECT 1 FROM ${TABLE}) AND NOT EXISTS (SELECT 1 FROM ${COUNTS_TABLE}) AS missing`;
    return (await rowsOf<{ missing: boolean }>(db, sql))[0].missing;
  },
};
