import { rowsOf, type Queryable } from '../../projections/queryable.js';

export interface StepsLine {
  action: string;
  kind: string;
  runs: number;
  failures: number;
  /** Runs that were a second or later attempt. */
  retries: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The most frequent failure reasons, most frequent first (at most 3). */
  topFailures: Array<{ reason: string; count: number }>;
}

/** Per step, compensation and renewal: runs, failures, retries, durations, frequent failure reasons. */
export async function stepsReport(db: Queryable, q: { from?: Date; to?: Date }): Promise<StepsLine[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    `WITH runs AS (
       SELECT * FROM report_step_runs
       WHERE ($1::timestamptz IS NULL OR started_at >= $1) AND ($2::timestamptz IS NULL OR started_at < $2)
     ), reasons AS (
       SELECT action, kind, error, count(*)::int AS n,
         row_number() OVER (PARTITION BY action, kind ORDER BY count(*) DESC, error) AS rank
       FROM runs WHERE error IS NOT NULL GROUP BY action, kind, error
     )
     SELECT r.action, r.kind, count(*)::int AS runs, count(*) FILTER (WHERE outcome = 'failed')::int AS failures,
       count(*) FILTER (WHERE attempt > 1)::int AS retries,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95, max(duration_ms) AS max,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('reason', error, 'count', n) ORDER BY rank), '[]')
          FROM reasons x WHERE x.action = r.action AND x.kind = r.kind AND rank <= 3) AS top
     FROM runs r GROUP BY r.action, r.kind ORDER BY r.kind, r.action`,
    [q.from?.toISOString() ?? null, q.to?.toISOString() ?? null],
  );
  return rows.map((r) => ({
    action: String(r.action),
    kind: String(r.kind),
    runs: r.runs as number,
    failures: r.failures as number,
    retries: r.retries as number,
    p50Ms: Number(r.p50),
    p95Ms: Number(r.p95),
    maxMs: Number(r.max),
    topFailures: r.top as StepsLine['topFailures'],
  }));
}
