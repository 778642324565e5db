/**
 * The two read rows of `npm run bench` alone, for iterating on the read path in under a minute:
 * `node dist/bench/reads-quick.js [seconds] [--only=one|list]` (after `npx tsc -p tsconfig.json`). The
 * first run makes the central database `scs_bench_reads` on the configured server (one provisioned school
 * and 700 generated ones, as many as the full bench has when it reads) and keeps it for the next runs;
 * `--drop` drops it. SCS_NODE_OPTIONS is passed to the service as NODE_OPTIONS (e.g. `--import prof.mjs`,
 * a module that starts node:inspector's Profiler: Node 20 refuses `--cpu-prof` there).
 */
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../test/support/scs-process.js';
import { load } from './reads.js';
import { processCpuSeconds } from './support/cpu.js';
import { generate, SchoolGenerator, type HistoryEvent } from './rebuild.js';
import { BenchServer } from './support/server.js';
import { sleep } from './support/stats.js';

const NAME = 'scs_bench_reads';

/** CPU seconds (user + system) SCS has used so far: per request, a figure other load hardly moves. */
function cpuSeconds(pid: number): number {
  const seconds = processCpuSeconds(pid);
  if (seconds === undefined) throw new Error(`cannot read /proc/${pid}/stat`);
  return seconds;
}
const GENERATED = 700;

/** One school provisioned by SCS, then (SCS stopped: its process manager would react) 700 made from it. */
async function seed(scs: ScsProcess, url: string): Promise<void> {
  const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
  if (created.status !== 202) throw new Error(`POST /school: ${created.status}`);
  const id = created.body.id as string;
  await waitForStatus(scs, id, ['active'], 60_000);
  const history = await scs.request(`/school/${id}/history`);
  await scs.stop();
  const generator = new SchoolGenerator((history.body as { events: HistoryEvent[] }).events, 'reads');
  await generate(url, generator, GENERATED);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
  const server = await BenchServer.start();
  const [exists] = await server.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [NAME]);
  const url = exists ? server.own(NAME) : await server.createDatabase(NAME);
  if (process.argv.includes('--drop')) {
    const databases = new PostgresTenantDatabases({ serverUrl: server.url, owner: NAME });
    for (const name of await databases.list()) await databases.drop(name);
    await server.stop();
    return;
  }
  const start = () =>
    startScs({
      databaseUrl: url,
      env: {
        SCS_RATE_LIMIT_PER_MINUTE: '1000000',
        SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000',
        SCS_RECONCILE_INTERVAL_S: '0',
        SCS_RENEWAL_CHECK_S: '0',
        ...(process.env.SCS_NODE_OPTIONS ? { NODE_OPTIONS: process.env.SCS_NODE_OPTIONS } : {}),
        ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
      },
    });
  if (!exists) await seed(await start(), url);
  const scs = await start();
  try {
    let total = 0;
    for (let i = 0; i < 1200 && total <= GENERATED; i++, await sleep(100)) {
      total = (await scs.request('/schools?limit=1')).body.total as number;
    }
    const first = (await scs.request('/schools?limit=1')).body.items[0].id as string;
    const only = /--only=(one|list)/.exec(process.argv.join(' '))?.[1];
    const f = (v: number) => Math.round(v).toLocaleString('en-US');
    process.stdout.write(`${total} schools, ${seconds} s each, 50 connections\n`);
    if (only !== 'list') {
      const cpu = cpuSeconds(scs.child.pid!);
      const one = await load(`${scs.url}/school/${first}`, seconds);
      const perRequest = ((cpuSeconds(scs.child.pid!) - cpu) * 1e6) / (one.requestsPerSecond * seconds);
      process.stdout.write(
        `GET /school/:id        ${f(one.requestsPerSecond)} req/s  p50 ${one.p50Ms} ms  p99 ${one.p99Ms} ms  ` +
          `SCS CPU ${f(perRequest)} µs/request\n`,
      );
    }
    if (only !== 'one') {
      const cpu = cpuSeconds(scs.child.pid!);
      const list = await load(`${scs.url}/schools?limit=50`, seconds);
      const perRequest = ((cpuSeconds(scs.child.pid!) - cpu) * 1e6) / (list.requestsPerSecond * seconds);
      process.stdout.write(
        `GET /schools?limit=50  ${f(list.requestsPerSecond)} req/s  p50 ${list.p50Ms} ms  p99 ${list.p99Ms} ms  ` +
          `SCS CPU ${f(perRequest)} µs/request\n`,
      );
    }
  } finally {
    await scs.stop();
    if (server.source === 'embedded') await server.stop(); // a configured server keeps the database
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
