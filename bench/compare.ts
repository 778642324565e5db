/**
 * `npm run bench:compare -- before.json after.json`: compares two results of `npm run bench` row by row
 * and flags every row whose ratio to its floor or peer (or, for a row without one, whose figure) got
 * more than 20% worse. Exit 1 when any did, 2 on bad input. No timing of its own: for use before a release.
 */
import { readFileSync } from 'node:fs';
import { compareRows, THRESHOLD } from './support/compare-rows.js';
import type { Results } from './support/report.js';

function load(path: string): Results {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Results;
  if (!Array.isArray(parsed.rows)) throw new Error(`${path}: not a result of npm run bench (no rows)`);
  return parsed;
}

function main(argv: string[]): number {
  if (argv.length !== 2) {
    process.stderr.write('usage: npm run bench:compare -- <before.json> <after.json>\n');
    return 2;
  }
  const [before, after] = argv.map(load);
  if (before.quick !== after.quick)
    process.stdout.write('warning: one run is BENCH_QUICK and the other is not: sizes differ\n');
  const { changes, missing } = compareRows(before.rows, after.rows);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  for (const c of changes) {
    const mark = c.flagged ? 'WORSE' : c.worse < 1 / THRESHOLD ? 'better' : 'same';
    process.stdout.write(
      `${mark.padEnd(6)} ${c.what.padEnd(60)} ${c.basis.padEnd(5)} ` +
        `${fmt(c.before).padStart(9)} → ${fmt(c.after).padStart(9)}\n`,
    );
  }
  for (const id of missing) process.stdout.write(`gone   ${id}: in the first file only\n`);
  const flagged = changes.filter((c) => c.flagged);
  process.stdout.write(
    `${flagged.length} of ${changes.length} rows more than ${Math.round((THRESHOLD - 1) * 100)}% worse\n`,
  );
  return flagged.length > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}
