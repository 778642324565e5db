import type { ReadPool } from '../../projections/queryable.js';
import { READ_SIDE } from '../../infrastructure/composition/tokens.js';
import { fleetReport } from '../../projections/fleet/fleet-report.js';
import {
  GROUPS,
  onboardingReport,
  PERIODS,
  type Group,
  type Period,
} from '../../projections/onboarding/onboarding-report.js';
import { stepsReport } from '../../projections/steps/steps-report.js';
import type { INestApplicationContext } from '@nestjs/common';
import { CLOCK, type Clock } from '../../application/ports/clock.port.js';
import type { Config } from '../../config/config.js';
import { CONFIG } from '../../infrastructure/composition/tokens.js';
import type { Command } from 'commander';
import { action, withContext } from '../cli.js';

const REPORT_USAGE = `  report onboarding|steps|fleet [--from <time>] [--to <time>] [--period day|week|month]
                             [--group-by district,board] [--format table|json|csv]
                             the reporting projections (from/to: ISO 8601 times, UTC)`;

interface ReportOptions {
  name?: string;
  from?: string;
  to?: string;
  period?: string;
  groupBy?: string;
  format?: string;
}

const FORMATS = ['table', 'json', 'csv'];

/** What the reports read: the central database, the time now, and when a school counts as stuck. */
interface ReportSource {
  readSide: ReadPool;
  clock: Clock;
  stuckAfterSeconds: number;
}

/** A report's whole answer (`--format json`) and its rows (table, CSV). */
interface Report {
  whole: unknown;
  rows: Array<Record<string, unknown>>;
}

/** A bad option, named for the operator (exit 2). */
class ReportUsageError extends Error {}

/** `npm run scs -- report <name>`: prints the report; exit 2 on a bad option (named). */
async function reportCommand(source: ReportSource, options: ReportOptions): Promise<number> {
  try {
    const format = options.format ?? 'table';
    if (!FORMATS.includes(format)) throw new ReportUsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const from = timeOption(options.from, '--from');
    const to = timeOption(options.to, '--to');
    const { whole, rows } = await readReport(source, options, { from, to });
    if (format === 'json') process.stdout.write(`${JSON.stringify(whole, null, 2)}\n`);
    else process.stdout.write(format === 'csv' ? toCsv(rows) : toTable(rows));
    return 0;
  } catch (error) {
    if (!(error instanceof ReportUsageError)) throw error;
    process.stderr.write(`${error.message}\nusage:\n${REPORT_USAGE}\n`);
    return 2;
  }
}

function timeOption(value: string | undefined, name: string): Date | undefined {
  const time = value === undefined ? undefined : new Date(value);
  if (time && Number.isNaN(time.getTime())) throw new ReportUsageError(`${name} must be an ISO 8601 time`);
  return time;
}

type Range = { from?: Date; to?: Date };

function readReport(source: ReportSource, options: ReportOptions, range: Range): Promise<Report> {
  if (options.name === 'onboarding') return onboarding(source, options, range);
  if (options.name === 'steps') return steps(source, range);
  if (options.name === 'fleet') return fleet(source);
  throw new ReportUsageError(`unknown report: ${options.name ?? '(none)'}`);
}

async function onboarding({ readSide }: ReportSource, options: ReportOptions, range: Range): Promise<Report> {
  const period = (options.period ?? 'day') as Period;
  if (!PERIODS.includes(period)) throw new ReportUsageError(`--period must be one of ${PERIODS.join(', ')}`);
  const groupBy = (options.groupBy ?? 'district,board').split(',').filter(Boolean) as Group[];
  if (groupBy.some((g) => !GROUPS.includes(g))) throw new ReportUsageError('--group-by is a list of district, board');
  const rows = (await onboardingReport(readSide, { ...range, period, groupBy })) as never;
  return { whole: rows, rows };
}

async function steps({ readSide }: ReportSource, range: Range): Promise<Report> {
  const lines = await stepsReport(readSide, range);
  const rows = lines.map((line) => ({
    ...line,
    topFailures: line.topFailures.map((f) => `${f.count}× ${f.reason}`).join('; '),
  }));
  return { whole: lines, rows };
}

async function fleet({ readSide, clock, stuckAfterSeconds }: ReportSource): Promise<Report> {
  const report = await fleetReport(readSide, clock.now(), stuckAfterSeconds);
  const rows = [
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
  return { whole: report, rows };
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

function reportSource(app: INestApplicationContext): ReportSource {
  const { stuckAfterSeconds } = app.get<Config>(CONFIG);
  return { readSide: app.get<ReadPool>(READ_SIDE), clock: app.get<Clock>(CLOCK), stuckAfterSeconds };
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
        return withContext(({ app }) =>
          reportCommand(reportSource(app), { ...rest, name, format: json ? 'json' : rest.format }),
        );
      }),
    );
}
