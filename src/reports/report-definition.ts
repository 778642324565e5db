import type { Clock } from '../ports/clock.port.js';
import type { ReadPool } from '../projections/queryable.js';

/** The options of `scs report <name>` (`--json` is folded into `format`). */
export interface ReportOptions {
  name?: string;
  from?: string;
  to?: string;
  period?: string;
  groupBy?: string;
  format?: string;
}

/** What the reports read: the central database, the time now, and when a school counts as stuck. */
export interface ReportSource {
  readSide: ReadPool;
  clock: Clock;
  stuckAfterSeconds: number;
}

/** A report's whole answer (`--format json`) and its rows (table, CSV). */
export interface Report {
  whole: unknown;
  rows: Array<Record<string, unknown>>;
}

/** `--from` and `--to`, parsed. */
export type Range = { from?: Date; to?: Date };

/** A bad option, named for the operator (exit 2). */
export class ReportUsageError extends Error {}

/** One report of `scs report <name>`; `report.cli.ts` lists them. */
export interface ReportDefinition {
  /** The `<name>` that picks it. */
  readonly name: string;
  /** Checks its own options first (a bad one: a ReportUsageError naming it), then reads its answer. */
  read(source: ReportSource, options: ReportOptions, range: Range): Promise<Report>;
}
