import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One measured figure of the issue's table, with its floor or peer from the same run. */
export interface Row {
  /** Stable key: compare.ts matches rows of two runs by it. */
  id: string;
  what: string;
  value: number;
  unit: string;
  /** Which way is better for `value` (and so for `ratio`). */
  better: 'lower' | 'higher';
  /** Extra figures shown beside the value (e.g. p50, max), not compared. */
  detail?: string;
  floor?: { what: string; value: number; unit: string };
  /** value / floor.value when there is a floor, else absent: compare.ts then compares `value`. */
  ratio?: number;
  goal: string;
  met?: boolean;
}

export interface Results {
  startedAt: string;
  quick: boolean;
  server: { source: 'embedded' | 'configured'; version: string; settings: Record<string, string> };
  node: string;
  durationS: number;
  rows: Row[];
}

export function row(r: Omit<Row, 'ratio'> & { goalMet?: (r: Row) => boolean }): Row {
  const { goalMet, ...rest } = r;
  const out: Row = { ...rest };
  if (r.floor && r.floor.value > 0) out.ratio = r.value / r.floor.value;
  if (goalMet) out.met = goalMet(out);
  return out;
}

function figure(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return unit === '×' ? `${number}×` : `${number} ${unit}`;
}

/** The table as Markdown, so it can be pasted into an issue as it is. */
export function formatTable(rows: readonly Row[]): string {
  const lines = ['| what | measured | floor or peer, same run | ratio | goal | met |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const measured = `${figure(r.value, r.unit)}${r.detail ? ` (${r.detail})` : ''}`;
    const floor = r.floor ? `${r.floor.what}: ${figure(r.floor.value, r.floor.unit)}` : '—';
    const ratio = r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`;
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.what} | ${measured} | ${floor} | ${ratio} | ${r.goal} | ${met} |`);
  }
  return lines.join('\n');
}

/** `results` as JSON at `path` (the quick run's `Results`, or another bench's figures). */
export function writeResults(path: string, results: Results | Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
