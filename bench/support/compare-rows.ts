import type { Row } from './report.js';

/** More than 20% worse is flagged. */
export const THRESHOLD = 1.2;

export interface Change {
  id: string;
  what: string;
  basis: 'ratio' | 'value';
  before: number;
  after: number;
  /** How many times worse `after` is than `before` (below 1: better). */
  worse: number;
  flagged: boolean;
}

export function compareRows(
  before: readonly Row[],
  after: readonly Row[],
  threshold = THRESHOLD,
): { changes: Change[]; missing: string[] } {
  const changes: Change[] = [];
  const missing: string[] = [];
  for (const a of before) {
    const b = after.find((r) => r.id === a.id);
    if (!b) {
      missing.push(a.id);
      continue;
    }
    // A ratio to a floor measured in the same run cancels most of the machine's load; use it where both have one.
    const basis = a.ratio !== undefined && b.ratio !== undefined ? 'ratio' : 'value';
    const [x, y] = basis === 'ratio' ? [a.ratio!, b.ratio!] : [a.value, b.value];
    const worse = b.better === 'lower' ? y / x : x / y;
    changes.push({ id: a.id, what: b.what, basis, before: x, after: y, worse, flagged: worse > threshold });
  }
  return { changes, missing };
}
