/**
 * Prints the one line CI reads: `tests: N passed, N failed`. A suite that fails to load counts its
 * declared tests as failed (jest itself reports zero tests for it), and at least one so it is never lost.
 * Before it, the event-store contract's line: which adapters ran the contract and how they did.
 */
interface AssertionResult {
  ancestorTitles: string[];
  status: string;
}

interface AggregatedResult {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: Array<{ testResults: AssertionResult[]; testFilePath?: string; perfStats?: { runtime: number } }>;
}

const CONTRACT = 'event store contract: ';

export function contractLine(results: AggregatedResult): string | undefined {
  const adapters = new Map<string, { passed: number; failed: number }>();
  for (const file of results.testResults) {
    for (const test of file.testResults) {
      const title = test.ancestorTitles.find((t) => t.startsWith(CONTRACT));
      if (!title) continue;
      const counts = adapters.get(title.slice(CONTRACT.length)) ?? { passed: 0, failed: 0 };
      if (test.status === 'passed') counts.passed++;
      else if (test.status === 'failed') counts.failed++;
      adapters.set(title.slice(CONTRACT.length), counts);
    }
  }
  if (adapters.size === 0) return undefined;
  const ran = [...adapters].map(([name, c]) => `${name} (${c.passed} passed, ${c.failed} failed)`);
  const real = [...adapters.keys()].some((name) => name.includes('real server'))
    ? ''
    : '; eventstoredb on a real server: not run (set EVENTSTORE_CONNECTION_STRING, e.g. after `docker compose up -d kurrentdb`)';
  return `contract adapters: ${ran.join(', ')}${real}`;
}

/** The suites that took longest, for CI's time budget: `slowest suites: e2e/a.e2e.spec.js 41 s, ...`. */
export function slowestLine(results: AggregatedResult, count = 15): string | undefined {
  const timed = results.testResults
    .filter((r) => r.testFilePath && r.perfStats)
    .map((r) => ({ file: r.testFilePath!.replace(/^.*\/dist\/test\//, ''), seconds: r.perfStats!.runtime / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count);
  if (timed.length === 0) return undefined;
  return `slowest suites: ${timed.map((t) => `${t.file} ${Math.round(t.seconds)} s`).join(', ')}`;
}

export default class SummaryReporter {
  onRunComplete(_contexts: unknown, results: AggregatedResult): void {
    const slowest = slowestLine(results);
    if (slowest) process.stdout.write(`\n${slowest}`);
    const contract = contractLine(results);
    if (contract) process.stdout.write(`\n${contract}`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests > 0 ? `, ${results.numPendingTests} skipped` : '';
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed${skipped}\n`);
  }
}
