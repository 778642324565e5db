import type { INestApplicationContext } from '@nestjs/common';
import type { Command } from 'commander';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import type { Config } from '../config/config.js';
import { CONFIG, READ_SIDE } from '../composition/tokens.js';
import type { ReadPool } from '../projections/queryable.js';
import { action, withContext } from '../cli/cli.js';
import {
  ReportUsageError,
  type Range,
  type Report,
  type ReportDefinition,
  type ReportOptions,
  type ReportSource,
} from './report-definition.js';
import { FLEET_REPORT } from './fleet/fleet-report.cli.js';
import { ONBOARDING_REPORT } from './onboarding/onboarding-report.cli.js';
import { STEPS_REPORT } from './steps/steps-report.cli.js';

/** The reports `scs report <name>` prints, in the order the usage names them. */
const REPORTS: ReportDefinition[] = [ONBOARDING_REPORT, STEPS_REPORT, FLEET_REPORT];

const REPORT_USAGE = `  report ${REPORTS.map((r) => r.name).join('|')} [--from <time>] [--to <time>] [--period day|week|month]
                             [--group-by district,board] [--format table|json|csv]
                             the reporting projections (from/to: ISO 8601 times, UTC)`;

const FORMATS = ['table', 'json', 'csv'];

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

function readReport(source: ReportSource, options: ReportOptions, range: Range): Promise<Report> {
  const report = REPORTS.find((r) => r.name === options.name);
  if (!report) throw new ReportUsageError(`unknown report: ${options.name ?? '(none)'}`);
  return report.read(source, options, range);
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

/** "a, b or c": the report names, for the help. */
function names(): string {
  const all = REPORTS.map((r) => r.name);
  return `${all.slice(0, -1).join(', ')} or ${all.at(-1)}`;
}

/** `scs report onboarding|steps|fleet`: a reporting projection as a table, JSON or CSV. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<name>', names())
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
