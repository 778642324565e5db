/**
 * Prints the one line CI reads: `tests: N passed, N failed`. A suite that fails to load counts its
 * declared tests as failed (jest itself reports zero tests for it), and at least one so it is never lost.
 */
interface AggregatedResult {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
}

export default class SummaryReporter {
  onRunComplete(_contexts: unknown, results: AggregatedResult): void {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests > 0 ? `, ${results.numPendingTests} skipped` : '';
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed${skipped}\n`);
  }
}
