/**
 * Schools on two tenant servers: provisions N schools (default 1,000, BENCH_N) in batches of B (default 50,
 * BENCH_BATCH) on two private embedded PostgreSQL servers (the first also holds the central database),
 * and prints the POST→active p50 of the first 100 and of the last 100 schools (flat: within 20%), the
 * schools per server, and how long `npm run scs -- reconcile` takes over all of them (wall time, with the
 * CLI's start-up), then moves one school and prints its downtime. Run after `npx tsc -p tsconfig.json`:
 * node dist/bench/tenant-servers.js
 */
import { runCli } from '../test/support/cli.js';
import { freshDatabase } from '../test/support/databases.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../test/support/scs-process.js';
import {
  startSecondTestPostgres,
  startTestPostgres,
  stopSecondTestPostgres,
  stopTestPostgres,
} from '../test/support/test-postgres.js';

const n = Number(process.env.BENCH_N ?? 1000);
const batch = Number(process.env.BENCH_BATCH ?? 50);
const window = Math.min(100, Math.floor(n / 2));

async function provision(scs: ScsProcess): Promise<{ ms: number; server: string; id: string }> {
  const started = performance.now();
  const posted = await scs.request('/school', { method: 'POST', json: schoolBody() });
  if (posted.status !== 202) throw new Error(`POST /school: ${posted.status} ${JSON.stringify(posted.body)}`);
  const school = await waitForStatus(scs, posted.body.id, ['active', 'failed'], 10 * 60_000);
  if (school.status !== 'active') throw new Error(`school ${school.id} failed: ${school.failureReason}`);
  return { ms: performance.now() - started, server: school.server, id: school.id };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  process.env.SCS_TEST_DATABASE_URL = await startTestPostgres();
  await startSecondTestPostgres();
  const central = await freshDatabase('bench_servers');
  const env = {
    SCS_TENANT_SERVERS: `one=${process.env.SCS_TEST_DATABASE_URL},two=${process.env.SCS_TEST_SECOND_DATABASE_URL}`,
    SCS_RATE_LIMIT_PER_MINUTE: '1000000',
    SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000',
    SCS_RECONCILE_INTERVAL_S: '0',
  };
  let scs: ScsProcess | undefined;
  try {
    scs = await startScs({ databaseUrl: central.url, env });
    const results: Array<{ ms: number; server: string; id: string }> = [];
    const started = performance.now();
    for (let done = 0; done < n; done += batch) {
      const size = Math.min(batch, n - done);
      results.push(...(await Promise.all(Array.from({ length: size }, () => provision(scs!)))));
      process.stderr.write(`\r${results.length}/${n} active`);
    }
    process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    const first = median(results.slice(0, window).map((r) => r.ms));
    const last = median(results.slice(-window).map((r) => r.ms));
    const perServer: Record<string, number> = {};
    for (const { server } of results) perServer[server] = (perServer[server] ?? 0) + 1;
    console.log(
      `${n} schools in batches of ${batch} in ${seconds.toFixed(1)} s; ` + `per server ${JSON.stringify(perServer)}`,
    );
    const change = ((last - first) / first) * 100;
    console.log(
      `POST→active p50: first ${window} ${first.toFixed(0)} ms, last ${window} ${last.toFixed(0)} ms ` +
        `(${change >= 0 ? '+' : ''}${change.toFixed(0)}%: ${Math.abs(change) <= 20 ? 'flat' : 'NOT flat'} within 20%)`,
    );
    await scs.stop();
    scs = undefined;
    const t0 = performance.now();
    const reconciled = await runCli(central.url, ['reconcile'], env);
    const wall = ((performance.now() - t0) / 1000).toFixed(2);
    console.log(
      `reconcile over ${n} schools on two servers: ${wall} s wall with the CLI's start-up; ` +
        `${reconciled.stdout.trim().split('\n').at(-1)}`,
    );
    // A move's downtime for a freshly provisioned school (its schema's tables, no rows of its own).
    const { id, server } = results[0];
    const moved = await runCli(
      central.url,
      ['school', 'move', id, '--to', server === 'one' ? 'two' : 'one', '--yes'],
      env,
    );
    console.log(`school move: ${(moved.stdout || moved.stderr).trim()}`);
  } finally {
    await scs?.stop();
    await central.drop();
    await stopSecondTestPostgres();
    await stopTestPostgres();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
