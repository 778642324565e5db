import { fleetReport } from '../../projections/fleet/fleet-report.js';
import {
  GROUPS,
  onboardingReport,
  PERIODS,
  type Group,
  type Period,
} from '../../projections/onboarding/onboarding-report.js';
import { stepsReport } from '../../projections/steps/steps-report.js';
import type { Runtime } from '../../infrastructure/runtime.js';
import type { Command } from 'commander';
import { action, withRuntime } from '../cli.js';

export const REPORT_USAGE = `  report onboarding|steps|fleet [--from <time>] [--to <time>] [--period day|week|month]
                             [--group-by district,board] [--format table|json|csv]
                             the reporting projections (from/to: ISO 8601 times, UTC)`;

export interface ReportOptions {
  name?: string;
  from?: string;
  to?: string;
  period?: string;
  groupBy?: string;
  format?: string;
}

const FORMATS = ['table', 'json', 'csv'];

/** `npm run scs -- report <name>`: prints the report; exit 2 on a bad option (named). */
export async function reportCommand(runtime: Runtime, options: ReportOptions): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`${message}\nusage:\n${REPORT_USAGE}\n`);
    return 2;
  };
  const format = options.format ?? 'table';
  if (!FORMATS.includes(format)) return fail(`--format must be one of ${FORMATS.join(', ')}`);
  const time = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
  const from = time(options.from);
  const to = time(options.to);
  if (from && Number.isNaN(from.getTime())) return fail('--from must be an ISO 8601 time');
  if (to && Number.isNaN(to.getTime())) return fail('--to must be an ISO 8601 time');
  let rows: Array<Record<string, unknown>>;
  let whole: unknown;
  if (options.name === 'onboarding') {
    const period = (options.period ?? 'day') as Period;
    if (!PERIODS.includes(period)) return fail(`--period must be one of ${PERIODS.join(', ')}`);
    const groupBy = (options.groupBy ?? 'district,board').split(',').filter(Boolean) as Group[];
    if (groupBy.some((g) => !GROUPS.includes(g))) return fail('--group-by is a list of district, board');
    rows = (await onboardingReport(runtime.readSide, { from, to, period, groupBy })) as never;
    whole = rows;
  } else if (options.name === 'steps') {
    const lines = await stepsReport(runtime.readSide, { from, to });
    whole = lines;
    rows = lines.map((line) => ({
      ...line,
      topFailures: line.topFailures.map((f) => `${f.count}× ${f.reason}`).join('; '),
    }));
  } else if (options.name === 'fleet') {
    const report = await fleetReport(runtime.readSide, new Date(), runtime.config.stuckAfterSeconds);
    whole = report;
    rows = [
      ...report.byStatus.map((s) => ({
        section: 'status',
        key: `${s.status} ${s.district} ${s.board}`,
        count: s.count,
      })),
      ...report.bySchemaVersion.map((v) => ({ section: 'schema', key: v.schemaVersion ?? '(none)', count: v.count })),
      ...Object.entries(report.certificateExpiry).map(([key, count]) => ({ section: 'certificate', key, count })),
      ...report.stuck.map((s) => ({
        section: 'stuck',
        key: `${s.id} ${s.slug} ${s.status} since ${s.since}`,
        count: s.seconds,
      })),
    ];
  } else {
    return fail(`unknown report: ${options.name ?? '(none)'}`);
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify(whole, null, 2)}\n`);
  else process.stdout.write(format === 'csv' ? toCsv(rows) : toTable(rows));
  return 0;
}

function toCsv(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

function toTable(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)\n';
  const columns = Object.keys(rows[0]);
  const text = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => text(r[c]))))].join('\n') + '\n';
}

/** `scs report onboarding|steps|fleet`: a reporting projection as a table, JSON or CSV. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<name>', 'onboarding, steps or fleet')
    .description('a reporting projection (from/to: ISO 8601 times, UTC)')
    .option('--from <time>', 'from this time')
    .option('--to <time>', 'until this time')
    .option('--period <period>', 'onboarding: day, week or month (UTC)')
    .option('--group-by <fields>', 'onboarding: a list of district, board')
    .option('--format <format>', 'table, json or csv', 'table')
    .option('--json', 'the same as --format json')
    .action(
      action(async (name: string, options: Omit<ReportOptions, 'name'> & { json?: boolean }) => {
        const { json, ...rest } = options;
        return withRuntime(({ runtime }) =>
          reportCommand(runtime, { ...rest, name, format: json ? 'json' : rest.format }),
        );
      }),
    );
}
