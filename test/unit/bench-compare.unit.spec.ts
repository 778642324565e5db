import { compareRows } from '../../bench/support/compare-rows.js';
import { row, type Row } from '../../bench/support/report.js';

const latency = (value: number, floor?: number): Row =>
  row({
    id: 'p95',
    what: 'p95',
    value,
    unit: 'ms',
    better: 'lower',
    goal: '≤ 250 ms',
    floor: floor === undefined ? undefined : { what: 'clone', value: floor, unit: 'ms' },
  });
const rate = (value: number, floor?: number): Row =>
  row({
    id: 'rate',
    what: 'rate',
    value,
    unit: 'events/s',
    better: 'higher',
    goal: '≥ 40,000',
    floor: floor === undefined ? undefined : { what: 'read', value: floor, unit: 'events/s' },
  });

describe('bench comparison', () => {
  it('flags a lower-is-better ratio that grew by more than 20%, not one that grew by less', () => {
    expect(compareRows([latency(100, 50)], [latency(125, 50)]).changes[0]).toMatchObject({
      basis: 'ratio',
      before: 2,
      after: 2.5,
      flagged: true,
    });
    expect(compareRows([latency(100, 50)], [latency(115, 50)]).changes[0].flagged).toBe(false);
  });

  it('judges by the ratio to the floor of the same run, so a slower machine alone is not flagged', () => {
    // Everything twice as slow, floor included: the same ratio.
    const change = compareRows([latency(100, 50)], [latency(200, 100)]).changes[0];
    expect(change).toMatchObject({ basis: 'ratio', worse: 1, flagged: false });
  });

  it('flags a higher-is-better figure that fell by more than 20%, and not one that rose', () => {
    expect(compareRows([rate(10_000)], [rate(8_000)]).changes[0]).toMatchObject({
      basis: 'value',
      worse: 1.25,
      flagged: true,
    });
    expect(compareRows([rate(10_000)], [rate(50_000)]).changes[0]).toMatchObject({ worse: 0.2, flagged: false });
  });

  it('compares figures when either run has no ratio, and reports rows missing from the second run', () => {
    const result = compareRows([latency(100, 50), rate(10_000, 100_000)], [latency(130)]);
    expect(result.changes).toEqual([
      expect.objectContaining({ id: 'p95', basis: 'value', before: 100, after: 130, flagged: true }),
    ]);
    expect(result.missing).toEqual(['rate']);
  });
});
