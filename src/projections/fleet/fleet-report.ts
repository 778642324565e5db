import type { DataSource } from 'typeorm';
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

/** The fleet now: counts by status × district × board, schema versions, certificate expiry, stuck schools. */
export async function fleetReport(dataSource: DataSource, now: Date, stuckAfterSeconds: number): Promise<FleetReport> {
  const byStatus: Array<{ status: string; district: string; board: string; count: number }> = await dataSource.query(
    `SELECT status, district, board, count(*)::int AS count FROM report_fleet
     GROUP BY status, district, board ORDER BY status, district, board`,
  );
  const versions: Array<{ version: string | null; count: number }> = await dataSource.query(
    `SELECT schema_version AS version, count(*)::int AS count FROM report_fleet WHERE status <> 'deleted'
     GROUP BY schema_version ORDER BY schema_version NULLS FIRST`,
  );
  const [expiry] = await dataSource.query(
    `SELECT count(*) FILTER (WHERE certificate_not_after <= $1::timestamptz + interval '7 days')::int AS d7,
       count(*) FILTER (WHERE certificate_not_after > $1::timestamptz + interval '7 days'
         AND certificate_not_after <= $1::timestamptz + interval '30 days')::int AS d30,
       count(*) FILTER (WHERE certificate_not_after > $1::timestamptz + interval '30 days')::int AS later
     FROM report_fleet WHERE status <> 'deleted' AND certificate_not_after IS NOT NULL`,
    [now.toISOString()],
  );
  const stuck: Array<{ id: string; slug: string; status: string; since: Date; seconds: number }> =
    await dataSource.query(
      `SELECT school_id::text AS id, slug, status, status_since AS since,
         floor(extract(epoch FROM $1::timestamptz - status_since))::int AS seconds
       FROM report_fleet WHERE status = ANY($2) AND status_since < $1::timestamptz - make_interval(secs => $3)
       ORDER BY status_since, school_id`,
      [now.toISOString(), NON_TERMINAL, stuckAfterSeconds],
    );
  return {
    byStatus,
    bySchemaVersion: versions.map((v) => ({ schemaVersion: v.version, count: v.count })),
    certificateExpiry: { within7Days: expiry.d7, within30Days: expiry.d30, later: expiry.later },
    stuckAfterSeconds,
    stuck: stuck.map((s) => ({ ...s, since: s.since.toISOString() })),
  };
}
