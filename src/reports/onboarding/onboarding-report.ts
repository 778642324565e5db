import { rowsOf, type Queryable } from '../../projections/queryable.js';

export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];
export const GROUPS = ['district', 'board'] as const;
export type Group = (typeof GROUPS)[number];

export interface OnboardingQuery {
  from?: Date;
  to?: Date;
  period: Period;
  groupBy: Group[];
}

export interface OnboardingLine {
  period: string;
  district?: string;
  board?: string;
  requested: number;
  activated: number;
  failed: number;
  deleted: number;
  /** Median seconds from the POST to `active`, of the schools that became active (null when none did). */
  medianSecondsToActive: number | null;
}

/** Schools requested per UTC period (× district × board): how many became active, failed, were deleted. */
export async function onboardingReport(db: Queryable, q: OnboardingQuery): Promise<OnboardingLine[]> {
  const groups = GROUPS.filter((g) => q.groupBy.includes(g));
  const period = `date_trunc('${q.period}', requested_at AT TIME ZONE 'UTC')`;
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    `SELECT to_char(${period}, 'YYYY-MM-DD') AS period${groups.map((g) => `, ${g}`).join('')},
       count(*)::int AS requested, count(activated_at)::int AS activated, count(failed_at)::int AS failed,
       count(deleted_at)::int AS deleted,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM activated_at - requested_at))
         AS median
     FROM report_onboarding
     WHERE ($1::timestamptz IS NULL OR requested_at >= $1) AND ($2::timestamptz IS NULL OR requested_at < $2)
     GROUP BY 1${groups.map((_, i) => `, ${i + 2}`).join('')} ORDER BY 1${groups.map((_, i) => `, ${i + 2}`).join('')}`,
    [q.from?.toISOString() ?? null, q.to?.toISOString() ?? null],
  );
  return rows.map((r) => ({
    period: String(r.period),
    ...Object.fromEntries(groups.map((g) => [g, String(r[g])])),
    requested: Number(r.requested),
    activated: Number(r.activated),
    failed: Number(r.failed),
    deleted: Number(r.deleted),
    medianSecondsToActive: r.median === null ? null : Math.round(Number(r.median) * 1000) / 1000,
  }));
}
