import { compareRows } from '../../bench/support/compare-rows.js';
import { row, type Row } from '../../bench/support/report.js';
import { bucketQuantile } from '../../bench/support/stats.js';

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

describe('bench: quantiles of a Prometheus histogram', () => {
  const les = [0.005, 0.01, 0.025, 0.05];
  it('interpolates within the bucket holding the rank, as histogram_quantile does', () => {
    // 10 events: 4 up to 5 ms, 8 up to 10 ms, 9 up to 25 ms, 10 up to 50 ms (cumulative).
    const counts = [4, 8, 9, 10];
    expect(bucketQuantile(les, counts, 10, 0.5)).toBeCloseTo(0.005 + 0.005 * (1 / 4), 10);
    expect(bucketQuantile(les, counts, 10, 0.2)).toBeCloseTo(0.0025, 10);
    expect(bucketQuantile(les, counts, 10, 0.99)).toBeCloseTo(0.025 + 0.025 * 0.9, 10);
  });
  it('gives the last bound past it, and NaN with no events', () => {
    expect(bucketQuantile(les, [0, 0, 0, 9], 10, 0.99)).toBe(0.05);
    expect(bucketQuantile(les, [0, 0, 0, 0], 0, 0.5)).toBeNaN();
  });
});
