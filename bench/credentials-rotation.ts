/**
 * How long `npm run scs -- secrets rotate` takes: provisions N schools (default 100, BENCH_N) on a
 * private embedded PostgreSQL (or the server at SCS_TEST_DATABASE_URL, in a fresh database), then
 * rotates them all to a new key once per concurrency in BENCH_CONCURRENCY (default `1,4,16`), each
 * run to a key of its own, and prints the CLI's wall time and the rotation's own time. Run after
 * `npx tsc -p tsconfig.json`: node dist/bench/credentials-rotation.js
 */
import { randomBytes } from 'node:crypto';
import { runCli } from '../test/support/cli.js';
import { freshDatabase } from '../test/support/databases.js';
import { schoolBody, startScs, waitFor } from '../test/support/scs-process.js';
import { startTestPostgres, stopTestPostgres } from '../test/support/test-postgres.js';

const n = Number(process.env.BENCH_N ?? 100);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,4,16').split(',').map(Number);

async function main(): Promise<void> {
  process.env.SCS_TEST_DATABASE_URL = await startTestPostgres();
  const central = await freshDatabase('bench_rotate');
  const keys: string[] = [`k0:${randomBytes(32).toString('hex')}`];
  try {
    const unlimited = { SCS_RATE_LIMIT_PER_MINUTE: '1000000', SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000' };
    const scs = await startScs({ databaseUrl: central.url, env: { SCS_CREDENTIALS_KEYS: keys[0], ...unlimited } });
    const provisioning = performance.now();
    for (let i = 0; i < n; i++) await scs.request('/school', { method: 'POST', json: schoolBody() });
    await waitFor(
      `${n} schools to be active`,
      async () => {
        const list = await scs.request('/schools?status=active&limit=1');
        return list.body.total === n ? true : undefined;
      },
      30 * 60_000,
      1000,
    );
    const provisioned = ((performance.now() - provisioning) / 1000).toFixed(1);
    console.log(`provisioned ${n} schools in ${provisioned} s`);
    await scs.stop();

    for (const [i, concurrency] of concurrencies.entries()) {
      keys.unshift(`k${i + 1}:${randomBytes(32).toString('hex')}`);
      const started = performance.now();
      const run = await runCli(central.url, ['secrets', 'rotate', '--yes', '--concurrency', String(concurrency)], {
        SCS_CREDENTIALS_KEYS: keys.join(','),
      });
      const wall = ((performance.now() - started) / 1000).toFixed(2);
      if (run.code !== 0) throw new Error(`secrets rotate failed (${run.code}):\n${run.stdout}${run.stderr}`);
      const summary = run.stdout.trim().split('\n')[0];
      console.log(`concurrency ${String(concurrency).padStart(2)}: ${summary}; ${wall} s wall with the CLI's start-up`);
    }
  } finally {
    await central.drop();
    await stopTestPostgres();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
