import { rowsOf, type Queryable } from '../../projections/queryable.js';
import { NON_TERMINAL } from './fleet-view.js';

export interface FleetReport {
  byStatus: Array<{ status: string; district: string; board: string; count: number }>;
  bySchemaVersion: Array<{ schemaVersion: string | null; count: number }>;
  /** Live certificates (schools not deleted) by days to expiry. */
  certificateExpiry: { within7Days: number; within30Days: number; later: number };
  stuckAfterSeconds: number;
  /** Schools in a non-terminal status for longer than `stuckAfterSeconds`, the longest first. */
  stuck: Array<{ id: string; slug: string; status: string; since: string; seconds: number }>;
}

/**
 * The fleet now: counts by status × district × board, schema versions, certificate expiry, stuck schools.
 * The counts are the projection's `report_fleet_counts` added up (a few rows, however many schools); the
 * certificates expiring within 30 days and the stuck schools are read from report_fleet's indexes.
 */
export async function fleetReport(db: Queryable, now: Date, stuckAfterSeconds: number): Promise<FleetReport> {
  const byStatus = await rowsOf<FleetReport['byStatus'][number]>(
    db,
    `SELECT status, district, board, sum(n)::int AS count FROM report_fleet_counts
     GROUP BY status, district, board HAVING sum(n) > 0 ORDER BY status, district, board`,
  );
  const versions = await rowsOf<{ version: string | null; count: number }>(
    db,
    `SELECT nullif(schema_version, '') AS version, sum(n)::int AS count FROM report_fleet_counts
     WHERE status <> 'deleted' GROUP BY schema_version HAVING sum(n) > 0 ORDER BY 1 NULLS FIRST`,
  );
  // Later than 30 days: every live certificate but those within 30 days (a partition of them).
  const [expiry] = await rowsOf<{ d7: number; d30: number; live: number }>(
    db,
    `SELECT count(*) FILTER (WHERE certificate_not_after <= $1::timestamptz + interval '7 days')::int AS d7,
       count(*) FILTER (WHERE certificate_not_after > $1::timestamptz + interval '7 days')::int AS d30,
       (SELECT coalesce(sum(n), 0)::int FROM report_fleet_counts WHERE status <> 'deleted' AND with_certificate)
         AS live
     FROM report_fleet WHERE status <> 'deleted' AND certificate_not_after IS NOT NULL
       AND certificate_not_after <= $1::timestamptz + interval '30 days'`,
    [now.toISOString()],
  );
  const stuck = await rowsOf<{ id: string; slug: string; status: string; since: Date; seconds: number }>(
    db,
    `SELECT school_id::text AS id, slug, status, status_since AS since,
         floor(extract(epoch FROM $1::timestamptz - status_since))::int AS seconds
       FROM report_fleet WHERE status = ANY($2) AND status_since < $1::timestamptz - make_interval(secs => $3)
       ORDER BY status_since, school_id`,
    [now.toISOString(), NON_TERMINAL, stuckAfterSeconds],
  );
  return {
    byStatus,
    bySchemaVersion: versions.map((v) => ({ schemaVersion: v.version, count: v.count })),
    certificateExpiry: {
      within7Days: expiry.d7,
      within30Days: expiry.d30,
      later: expiry.live - expiry.d7 - expiry.d30,
    },
    stuckAfterSeconds,
    stuck: stuck.map((s) => ({ ...s, since: s.since.toISOString() })),
  };
}
