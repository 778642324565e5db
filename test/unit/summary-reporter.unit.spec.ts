import { slowestLine } from '../support/summary-reporter.js';

describe('summary reporter', () => {
  it('names the slowest suites first, relative to dist/test, in whole seconds', () => {
    const suite = (file: string, ms: number) => ({
      testResults: [],
      testFilePath: `/ci/clone/dist/test/${file}`,
      perfStats: { runtime: ms },
    });
    const results = {
      numPassedTests: 0,
      numFailedTests: 0,
      numPendingTests: 0,
      numRuntimeErrorTestSuites: 0,
      testResults: [
        suite('unit/a.unit.spec.js', 400),
        suite('e2e/b.e2e.spec.js', 41_600),
        suite('int/c.int.spec.js', 7_200),
      ],
    };
    expect(slowestLine(results, 2)).toBe('slowest suites: e2e/b.e2e.spec.js 42 s, int/c.int.spec.js 7 s');
    expect(slowestLine({ ...results, testResults: [] })).toBeUndefined();
  });
});
