/**
 * `npm run bench -- --fleet 1000` (issue 34): what grows with the fleet. It provisions live schools
 * through a real SCS process in waves, and at each checkpoint (default 100, 250, 500, 1,000 live schools)
 * measures: POST→active p50/p95 of a probe wave (schools one after another) beside the spare + migrate
 * check floor of the same moment, `reconcile`, a schema rollout of one small migration over every school,
 * GET /reports/fleet, GET /schools first and last page, `audit verify`, the certificate-renewal check, the
 * process's RSS and the central database's size. Then the rows that need no real database again at 1/10
 * and all of `--simulated` generated schools (default 10 × the fleet; events appended directly).
 * Options: --checkpoints 25,50,100  --simulated 1000  --probe 10  --wave 8. SCS_TENANT_SERVERS is passed
 * to the service (schools spread over those servers). Every database it made is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type GlobalPosition } from '../src/ports/event-store.port.js';
import { silentLogger } from '../src/ports/logger.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../src/ports/school-registry.port.js';
import { CertificateRenewer } from '../src/school/renewal/certificate-renewer.js';
import { runRollout } from '../src/school/schema-rollout/schema-rollout.js';
import { auditSource, verifyEvents } from '../src/audit/audit.cli.js';
import { loadConfig } from '../src/config/config.js';
import { SCHOOL_STREAM_PREFIX } from '../src/domain/school/events.js';
import { createAppContext } from '../src/composition/create-app-context.js';
import { Reconciliation } from '../src/reconcile/reconciliation.js';
import { SchemaRollouts } from '../src/school/schema-rollout/schema-rollouts.js';
import { schoolSchemaDir } from '../src/adapters/postgres/drizzle-migrations.js';
import { makingDatabasePrefix, spareDatabasePrefix } from '../src/adapters/tenant-databases/postgres/spare-pool.js';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { addDrizzleMigration, copyDrizzleFolder } from '../test/support/drizzle-folders.js';
import { API_KEY, schoolBody, startScs, type ScsProcess } from '../test/support/scs-process.js';
import { DatabaseFloors, untilSpares } from './databases.js';
import { generate, prepareRebuildDatabase, SchoolGenerator, type HistoryEvent } from './rebuild.js';
import type { BenchServer } from './support/server.js';
import { DROPS_AT_ONCE } from './support/server.js';
import { mapLimit, median, percentile, sleep } from './support/stats.js';

export interface FleetOptions {
  fleet: number;
  checkpoints: number[];
  simulated: number;
  /** Schools of the measured wave at each checkpoint, one after another. */
  probe: number;
  /** Schools posted at once while filling up to the next checkpoint. */
  wave: number;
  floorRuns: number;
}

/** `--fleet N [--checkpoints a,b,…] [--simulated M] [--probe P] [--wave W]`, or undefined without --fleet. */
export function fleetOptions(argv: readonly string[]): FleetOptions | undefined {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const raw = value('--fleet');
  if (raw === undefined) return undefined;
  const int = (text: string, flag: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number, got ${text}`);
    return n;
  };
  const fleet = int(raw, '--fleet');
  const listed = value('--checkpoints')
    ?.split(',')
    .map((c) => int(c, '--checkpoints'));
  const checkpoints = [...new Set(listed ?? [...[100, 250, 500].filter((c) => c < fleet), fleet])].sort(
    (a, b) => a - b,
  );
  if (checkpoints[checkpoints.length - 1] !== fleet) throw new Error('the last checkpoint must be the fleet');
  return {
    fleet,
    checkpoints,
    simulated: int(value('--simulated') ?? String(fleet * 10), '--simulated'),
    probe: int(value('--probe') ?? '10', '--probe'),
    wave: int(value('--wave') ?? '8', '--wave'),
    floorRuns: int(value('--floor-runs') ?? '5', '--floor-runs'),
  };
}

/** How a figure should grow with the fleet: not at all (per school, per request), or as the fleet. */
type Kind = 'flat' | 'fleet' | 'shown';

interface Metric {
  id: string;
  what: string;
  unit: string;
  kind: Kind;
  /** By column (a checkpoint's live schools, or `sim N`). */
  values: Record<string, number>;
  detail: Record<string, string>;
}

export interface FleetResults {
  options: FleetOptions;
  /** The central databases it made (the live fleet's, the simulated one's): dropped with the server's `stop`. */
  centrals: string[];
  columns: string[];
  metrics: Metric[];
  /** POST→active p50 over the spare + migrate check floor of the same checkpoint. */
  floorRatios: Record<string, number>;
  table: string;
}

/**
 * The bench's service collects its garbage on SIGUSR2 (a preloaded listener; `--expose-gc` is allowed in
 * NODE_OPTIONS), so that its heap can be read as what it holds, not what it last allocated.
 */
const GC_ON_SIGNAL = `--expose-gc --import=data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc())`;

/** The service's spare pool (SCS_SPARE_DATABASES' default, set here so that `settle` knows it). */
const SPARES = 2;

const SERVICE_ENV = {
  NODE_OPTIONS: GC_ON_SIGNAL,
  SCS_SPARE_DATABASES: String(SPARES),
  SCS_RATE_LIMIT_PER_MINUTE: '1000000',
  SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000',
  SCS_RECONCILE_INTERVAL_S: '0',
  SCS_RENEWAL_CHECK_S: '0',
  SCS_AUTO_MIGRATE_SCHOOLS: 'false',
};

class Figures {
  readonly metrics = new Map<string, Metric>();
  set(id: string, what: string, unit: string, kind: Kind, column: string, value: number, detail?: string): void {
    const m = this.metrics.get(id) ?? { id, what, unit, kind, values: {}, detail: {} };
    m.values[column] = value;
    if (detail) m.detail[column] = detail;
    this.metrics.set(id, m);
  }
}

const timed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> => {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
};

/** Median ms of `n` GETs (the first, untimed, warms the route). */
async function get(scs: ScsProcess, path: string, n = 5): Promise<{ ms: number; body: any }> {
  let body: any;
  const times: number[] = [];
  for (let i = -1; i < n; i++) {
    const { ms, result } = await timed(() => scs.request(path));
    if (result.status !== 200) throw new Error(`GET ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    body = result.body;
    if (i >= 0) times.push(ms);
  }
  return { ms: median(times), body };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The service's live JS heap after a full collection (its /metrics `nodejs_heap_size_used_bytes`): what it
 * holds, where RSS also keeps what a catch-up of the whole log allocated and V8 has not handed back yet.
 */
async function heapUsedMb(scs: ScsProcess): Promise<number> {
  scs.child.kill('SIGUSR2');
  await sleep(500);
  const res = await fetch(`${scs.url}/metrics`);
  const used = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await res.text())?.[1];
  if (used === undefined) throw new Error('GET /metrics has no nodejs_heap_size_used_bytes');
  return Number(used) / 1024 / 1024;
}

async function centralSizeMb(server: BenchServer, name: string): Promise<number> {
  const rows = await server.query<{ b: string }>('SELECT pg_database_size($1)::text AS b', [name]);
  return Number(rows[0].b) / 1024 / 1024;
}

async function provisionOne(scs: ScsProcess): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const res = await scs.request('/school', { method: 'POST', json: schoolBody() });
  if (res.status !== 202) throw new Error(`POST /school: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  for (;;) {
    const school = await scs.request(`/school/${id}`);
    if (school.body?.status === 'active') return { id, ms: performance.now() - t0 };
    if (school.body?.status === 'failed') throw new Error(`school ${id} failed: ${school.body.failureReason}`);
    if (performance.now() - t0 > 300_000) throw new Error(`school ${id} not active after 5 minutes`);
    await sleep(5);
  }
}

/** The service's composition in this process on its central database, as the CLI makes it. */
async function cliContext(env: Record<string, string>): Promise<INestApplicationContext> {
  return createAppContext(
    loadConfig({ ...env, NODE_ENV: 'test', SCS_API_KEY: API_KEY }, { dataDir: env.SCS_DATA_DIR }),
    silentLogger,
  );
}

/** `audit verify` as the CLI runs it; throws on a mismatch (the fleet must verify clean). */
async function auditVerify(app: INestApplicationContext): Promise<{ schools: number; events: number }> {
  const report = await verifyEvents(auditSource(app));
  if (report.mismatches.length > 0)
    throw new Error(
      `audit verify: ${report.mismatches.length} mismatches, first ${JSON.stringify(report.mismatches[0])}`,
    );
  return { schools: report.schools, events: report.events };
}

/** The figures every column has, real or simulated: reads over HTTP, verify, renewal check, RSS, size. */
async function sharedRows(
  figures: Figures,
  column: string,
  scs: ScsProcess,
  app: INestApplicationContext,
  server: BenchServer,
  central: string,
  schools: number,
): Promise<void> {
  // As autovacuum leaves the central database within its naptime (a minute): right after the catch-up of
  // a simulated fleet the read model holds ~9 dead versions of each row and no visibility map, and a
  // count reads the whole heap (25 ms at 10,000 schools against 1 ms vacuumed).
  await vacuum(server.own(central));
  const report = await get(scs, '/reports/fleet');
  figures.set('report_fleet', 'GET /reports/fleet, median', 'ms', 'flat', column, report.ms);
  const limit = 50;
  const first = await get(scs, `/schools?limit=${limit}`);
  if (first.body.total !== schools) throw new Error(`GET /schools: total ${first.body.total}, expected ${schools}`);
  figures.set('schools_first', `GET /schools?limit=${limit}, first page, median`, 'ms', 'flat', column, first.ms);
  const lastOffset = Math.max(0, Math.floor((schools - 1) / limit) * limit);
  const cursor = await lastCursor(scs, schools, limit);
  const last = await get(scs, `/schools?limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
  if (last.body.items.length !== schools - lastOffset)
    throw new Error(`GET /schools after the last cursor: ${last.body.items.length} schools`);
  figures.set(
    'schools_last',
    `GET /schools?limit=${limit}, last page by cursor, median`,
    'ms',
    'flat',
    column,
    last.ms,
  );
  const byOffset = await get(scs, `/schools?limit=${limit}&offset=${lastOffset}`);
  const what = `GET /schools?limit=${limit}, last page by offset, median`;
  figures.set('schools_last_offset', what, 'ms', 'shown', column, byOffset.ms);
  const verify = await timed(() => auditVerify(app));
  if (verify.result.schools !== schools)
    throw new Error(`audit verify saw ${verify.result.schools} schools, expected ${schools}`);
  figures.set('audit_verify', '`audit verify`', 'ms', 'fleet', column, verify.ms);
  // What the whole-fleet jobs read: the log grows faster than the fleet (each rollout adds an event a school).
  figures.set('events', 'events in the log', '', 'shown', column, verify.result.events);
  const renewal = await timed(() => app.get(CertificateRenewer).sweep());
  figures.set('renewal_check', 'certificate-renewal check (one sweep, none due)', 'ms', 'fleet', column, renewal.ms);
  figures.set('rss', "SCS process's RSS", 'MB', 'flat', column, rssMb(scs.child.pid!));
  figures.set('heap', "SCS process's JS heap in use after a full GC", 'MB', 'flat', column, await heapUsedMb(scs));
  figures.set('central_size', 'central database size', 'MB', 'fleet', column, await centralSizeMb(server, central));
}

/**
 * The `next` cursor of the page before the last one (limit `limit`), found by walking the list in pages
 * of 500 (untimed): a deep page as a client paging through the list reaches it. Empty: one page only.
 */
async function lastCursor(scs: ScsProcess, schools: number, limit: number): Promise<string> {
  const before = Math.floor((schools - 1) / limit) * limit; // schools before the last page
  let after = '';
  let passed = 0;
  while (passed < before) {
    const size = Math.min(500, before - passed);
    const res = await scs.request(`/schools?limit=${size}${after ? `&after=${after}` : ''}`);
    if (res.status !== 200 || typeof res.body.next !== 'string')
      throw new Error(`GET /schools while paging: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    after = res.body.next as string;
    passed += size;
  }
  return after;
}

/**
 * A copy of the migrations folder `from` with one school migration more, which adds one column: the
 * rollout's one small migration. A new folder each time: a process reads a folder's files once.
 */
function addMigration(from: string, k: number): string {
  const dir = copyDrizzleFolder([], { from });
  addDrizzleMigration(dir, `bench_fleet_${k}`, [`ALTER TABLE students ADD COLUMN bench_fleet_${k} text;`]);
  return dir;
}

function fmt(value: number | undefined, unit: string): string {
  if (value === undefined) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return unit === '×' ? `${number}×` : unit ? `${number} ${unit}` : number;
}

/** The goal's ratio and whether it is met, from the first to the last column of `columns`. */
function growth(m: Metric, columns: string[], sizes: number[]): { ratio?: number; limit?: number; met?: boolean } {
  const [a, b] = [m.values[columns[0]], m.values[columns[columns.length - 1]]];
  if (a === undefined || b === undefined || a <= 0) return {};
  const ratio = b / a;
  if (m.kind === 'shown') return { ratio };
  const limit = m.kind === 'flat' ? 1.25 : 1.05 * (sizes[sizes.length - 1] / sizes[0]);
  return { ratio, limit, met: ratio <= limit };
}

function table(metrics: Metric[], real: number[], simulated: number[]): string {
  const realCols = real.map(String);
  const simCols = simulated.map((n) => `sim ${n}`);
  const head = [
    'what',
    ...real.map((n) => `${n.toLocaleString('en-US')} live`),
    `ratio ${real[0]}→${real[real.length - 1]}`,
    ...simulated.map((n) => `${n.toLocaleString('en-US')} simulated`),
    `ratio ${simulated[0]}→${simulated[simulated.length - 1]}`,
    'goal',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  const ratioText = (g: ReturnType<typeof growth>) =>
    g.ratio === undefined
      ? '—'
      : `${g.ratio.toFixed(2)}×${g.met === undefined ? '' : g.met ? ' (met)' : ' (**not met**)'}`;
  for (const m of metrics) {
    const cell = (c: string) => `${fmt(m.values[c], m.unit)}${m.detail[c] ? ` (${m.detail[c]})` : ''}`;
    const rg = growth(m, realCols, real);
    const sg = growth(m, simCols, simulated);
    const goal =
      m.kind === 'flat'
        ? '≤ 1.25× (flat)'
        : m.kind === 'fleet'
          ? `≤ 1.05× the fleet's growth (${rg.limit?.toFixed(1) ?? '—'}× real, ${sg.limit?.toFixed(1) ?? '—'}× simulated)`
          : 'shown';
    lines.push(
      `| ${[m.what, ...realCols.map(cell), ratioText(rg), ...simCols.map(cell), ratioText(sg), goal].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * What the fleet's service made on each server: the school databases marked with its central database,
 * its template (named after the migrations folder) and that template's spares.
 */
async function dropSchools(urls: string[], central: string, dirs: string[]): Promise<void> {
  for (const serverUrl of urls) {
    const databases = new PostgresTenantDatabases({ serverUrl, owner: central, migrationsDir: dirs[0] });
    try {
      await mapLimit(await databases.list(), DROPS_AT_ONCE, (name) => databases.drop(name));
    } finally {
      await databases.close();
    }
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      for (const dir of dirs) {
        const { templateName } = new PostgresTenantDatabases({ serverUrl, migrationsDir: dir });
        const prefixes = [spareDatabasePrefix(templateName), makingDatabasePrefix(templateName)];
        const { rows } = await client.query<{ datname: string }>(
          'SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2) OR starts_with(datname, $3)',
          [templateName, ...prefixes],
        );
        for (const { datname } of rows)
          await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  }
}

export async function runFleet(
  server: BenchServer,
  options: FleetOptions,
  progress: (what: string) => void = () => undefined,
): Promise<FleetResults> {
  const run = randomBytes(4).toString('hex');
  const central = `scs_bench_fleet_${run}`;
  const simulatedCentral = `scs_bench_fleet_sim_${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-bench-fleet-'));
  const dirs = [addMigration(schoolSchemaDir(), 0)];
  const tenantServers = process.env.SCS_TENANT_SERVERS;
  const env: Record<string, string> = {
    ...SERVICE_ENV,
    DATABASE_URL: server.own(central),
    SCS_DATA_DIR: dataDir,
    SCS_SCHOOL_MIGRATIONS_DIR: dirs[0],
    ...(tenantServers ? { SCS_TENANT_SERVERS: tenantServers } : {}),
  };
  const serverUrls = tenantServers ? tenantServers.split(',').map((s) => s.slice(s.indexOf('=') + 1)) : [server.url];
  const figures = new Figures();
  const floorRatios: Record<string, number> = {};
  const floors = new DatabaseFloors(server.url);
  let scs: ScsProcess | undefined;
  const start = async (databaseUrl = env.DATABASE_URL) => {
    scs = await startScs({ databaseUrl, dataDir, env: { ...env, DATABASE_URL: databaseUrl } });
    return scs;
  };
  const stop = async () => {
    await scs?.stop();
    scs = undefined;
  };
  let history: HistoryEvent[] | undefined;
  try {
    let live = 0;
    await start();
    for (const [k, checkpoint] of options.checkpoints.entries()) {
      const column = String(checkpoint);
      const fill = checkpoint - live - Math.min(options.probe, checkpoint - live);
      progress(`fleet: ${live} → ${checkpoint} live schools (${fill} in waves of ${options.wave})`);
      await mapLimit(Array.from({ length: fill }), options.wave, () => provisionOne(scs!));
      live += fill;
      const probe = checkpoint - live;
      // Each measurement starts settled, as the floor's does: the waves' work done (every subscriber at the
      // head, the spares refilled), so that it reads the fleet's size, not the wave's aftermath.
      const at = { central: env.DATABASE_URL, live, serverUrls, migrationsDir: dirs[0] };
      await settle(scs!, floors, at);
      const floor = await floors.createAndMigrate('spare', options.floorRuns);
      await settle(scs!, floors, at);
      const times: number[] = [];
      const methods = new Map<string, number>();
      let id = '';
      for (let i = 0; i < probe; i++) {
        const one = await provisionOne(scs!);
        times.push(one.ms);
        id = one.id;
        const method = await databaseMethod(scs!, one.id);
        methods.set(method, (methods.get(method) ?? 0) + 1);
      }
      const byMethod = [...methods].map(([m, n]) => `${n} ${m}`).join(', ');
      live += probe;
      if (!history) {
        const res = await scs!.request(`/school/${id}/history`);
        history = (res.body as { events: HistoryEvent[] }).events;
      }
      const p50 = percentile(times, 50);
      floorRatios[column] = p50 / floor;
      figures.set(
        'post_active_p50',
        `POST→active, ${probe} one after another: p50`,
        'ms',
        'flat',
        column,
        p50,
        byMethod,
      );
      figures.set(
        'post_active_p95',
        `POST→active, ${probe} one after another: p95`,
        'ms',
        'flat',
        column,
        percentile(times, 95),
      );
      figures.set('spare_floor', 'floor: spare + migrate check, median', 'ms', 'shown', column, floor);
      figures.set('floor_ratio', 'POST→active p50 / floor', '×', 'shown', column, p50 / floor);
      progress(`fleet ${checkpoint}: POST→active p50 ${p50.toFixed(0)} ms, floor ${floor.toFixed(1)} ms`);

      // The rollout's migration is in a new folder the service does not read: it goes on making schools
      // from its own template, one migration behind, while the rollout runs as `schools migrate` does.
      dirs.push(addMigration(dirs[dirs.length - 1], k + 1));
      const app = await cliContext({ ...env, SCS_SCHOOL_MIGRATIONS_DIR: dirs[dirs.length - 1] });
      try {
        const reconciled = await timed(() => app.get(Reconciliation).run(false, 'bench'));
        const left = reconciled.result.findings.filter((f) => f.kind !== 'foreign');
        if (reconciled.result.checked.schools !== live || left.length > 0)
          throw new Error(
            `reconcile: ${reconciled.result.checked.schools} schools, findings ${JSON.stringify(left.slice(0, 3))}`,
          );
        figures.set('reconcile', '`reconcile`', 'ms', 'fleet', column, reconciled.ms);
        await sharedRows(figures, column, scs!, app, server, central, live);
        progress(`fleet ${checkpoint}: schema rollout of one migration`);
        const rollouts = app.get(SchemaRollouts);
        const rollout = await timed(() => runRollout(rollouts.deps, rollouts.options('bench')));
        if (rollout.result.upgraded !== live) {
          const failed = rollout.result.outcomes.find((o) => o.result !== 'upgraded');
          throw new Error(`rollout upgraded ${rollout.result.upgraded} of ${live}: ${JSON.stringify(failed)}`);
        }
        const rate = `${(live / (rollout.ms / 1000)).toFixed(1)} schools/s`;
        figures.set('rollout', 'schema rollout, one migration, every school', 'ms', 'fleet', column, rollout.ms, rate);
      } finally {
        await app.close();
      }
      // The table so far, in case the run is stopped before its end.
      progress(`so far:\n${table([...figures.metrics.values()], options.checkpoints.slice(0, k + 1), [])}`);
    }
    await stop();
    await floors.dropAll();

    // The same rows on generated schools: their events appended directly, the service catching up.
    const simulated = [Math.max(1, Math.round(options.simulated / 10)), options.simulated];
    const simUrl = server.own(simulatedCentral);
    await prepareRebuildDatabase(simUrl);
    const generator = new SchoolGenerator(history!, run);
    const app = await cliContext({ ...env, DATABASE_URL: simUrl });
    try {
      let made = 0;
      let registered: GlobalPosition | undefined;
      for (const n of simulated) {
        progress(`simulated: generating ${n - made} schools`);
        // Generated streams are appended with expected revisions: no service may append to them meanwhile.
        await stop();
        await generate(simUrl, generator, n - made);
        made = n;
        registered = await registerGenerated(app, registered);
        const service = await start(simUrl);
        await caughtUp(service, simUrl, n);
        await sharedRows(figures, `sim ${n}`, service, app, server, simulatedCentral, n);
        progress(
          `so far:\n${table([...figures.metrics.values()], options.checkpoints, simulated.slice(0, simulated.indexOf(n) + 1))}`,
        );
      }
    } finally {
      await app.close();
    }
    const columns = [...options.checkpoints.map(String), ...simulated.map((n) => `sim ${n}`)];
    const metrics = [...figures.metrics.values()];
    return {
      options,
      centrals: [central, simulatedCentral],
      columns,
      metrics,
      floorRatios,
      table: table(metrics, options.checkpoints, simulated),
    };
  } finally {
    await stop();
    progress('dropping the databases the fleet made');
    await floors.dropAll().catch(() => undefined);
    // The service on the simulated central may make databases too (a generated school it takes up): both.
    for (const owner of [central, simulatedCentral]) await dropSchools(serverUrls, owner, dirs);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function vacuum(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

/** How the school's database was made (`spare`, `template`, …), from its `DatabaseCreated`. */
async function databaseMethod(scs: ScsProcess, id: string): Promise<string> {
  const res = await scs.request(`/school/${id}/history`);
  const created = (res.body as { events: HistoryEvent[] }).events.find((e) => e.type === 'DatabaseCreated');
  return String(created?.data.method ?? 'unknown');
}

/**
 * Until every subscriber is at the head and the spares are all ready again: the service's on each
 * tenant server (of its template, `migrationsDir`'s) and the floor's.
 */
async function settle(
  scs: ScsProcess,
  floors: DatabaseFloors,
  at: { central: string; live: number; serverUrls: string[]; migrationsDir: string },
): Promise<void> {
  await caughtUp(scs, at.central, at.live);
  await floors.sparesReady(SPARES);
  for (const serverUrl of at.serverUrls) {
    const databases = new PostgresTenantDatabases({ serverUrl, migrationsDir: at.migrationsDir });
    try {
      await untilSpares(databases, SPARES, 120_000, `the service's spares were not refilled in 120 s`);
    } finally {
      await databases.close();
    }
  }
}

/** The registry rows the register step would have written for generated schools (they have none). */
async function registerGenerated(
  app: INestApplicationContext,
  from?: GlobalPosition,
): Promise<GlobalPosition | undefined> {
  const store = app.get<EventStore>(EVENT_STORE);
  const registry = app.get<SchoolRegistry>(SCHOOL_REGISTRY);
  let after = from;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000, streamPrefix: SCHOOL_STREAM_PREFIX });
    if (page.length === 0) return after;
    await mapLimit(
      page.filter((e) => e.type === 'SchoolRequested'),
      8,
      async (e) => {
        const d = e.data as Record<string, string>;
        const { schoolId, slug, name, databaseName, subdomain, district, board, adminEmail } = d;
        await registry.register({ schoolId, slug, name, databaseName, subdomain, district, board, adminEmail });
      },
    );
    after = page[page.length - 1].position;
  }
}

/**
 * Until the read model lists all `n` schools as active and every subscriber (process manager, projections)
 * has reached the last event, or stopped moving for 3 s (one that skips what it does not read), so that
 * the reads are not timed beside a catch-up.
 */
async function caughtUp(scs: ScsProcess, url: string, n: number): Promise<void> {
  const t0 = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let last = '';
    let still = performance.now();
    for (;;) {
      if (performance.now() - t0 > 600_000) throw new Error(`the service did not catch up with ${n} schools`);
      await sleep(200);
      const res = await scs.request('/schools?status=active&limit=1');
      if (res.body?.total !== n) continue;
      const { rows } = await client.query<{ behind: number; positions: string }>(
        `SELECT count(*) FILTER (WHERE prepare_position < (SELECT max(global_position) FROM scs_events))::int AS behind,
                string_agg(prepare_position::text, ',' ORDER BY name) AS positions
           FROM scs_checkpoints`,
      );
      if (rows[0].behind === 0) return;
      if (rows[0].positions !== last) [last, still] = [rows[0].positions, performance.now()];
      else if (performance.now() - still > 3000) return;
    }
  } finally {
    await client.end();
  }
}
