/**
 * Item 5 of issue 9: BENCH_EVENTS (default 200,000) realistic school events, generated through the
 * domain's `decide` (the process manager's loop: `react` → a step's event → `decide`), appended to the
 * PostgreSQL event store; then each projection rebuilt from the first event (events/s), all four at once
 * (one read of the store, as `projections rebuild --all` does), and
 * `scs audit export` run as a process with its stdout read (events/s, its RSS at 50k and at the end).
 *   npx tsc -p tsconfig.json && node dist/bench/reporting.js
 * A fresh database on SCS_BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped at the end. For profiling, BENCH_DATABASE=<name> keeps that database (filled on the first run,
 * reused after) and BENCH_ONLY=<projection>,…|all|export runs only those parts (all: `rebuild --all`):
 *   BENCH_DATABASE=scs_rebuild_prof BENCH_ONLY=steps node --cpu-prof dist/bench/reporting.js
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { silentLogger } from '../src/ports/logger.port.js';
import type { SchoolCommand } from '../src/domain/school/commands.js';
import { decide } from '../src/domain/school/decide.js';
import { schoolStreamId, type SchoolEvent } from '../src/domain/school/events.js';
import { fold } from '../src/domain/school/evolve.js';
import { react } from '../src/domain/school/react.js';
import type { SchoolState } from '../src/domain/school/state.js';
import type { ActionName } from '../src/domain/school/steps.js';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres-event-store.js';
import { prepareCentralDatabase } from '../src/adapters/postgres/central-database.js';
import { rebuildProjection, rebuildProjections } from '../src/projections/rebuild.js';
import { PROJECTIONS } from '../src/projections/registry.js';

const serverUrl = process.env.SCS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const target = Number(process.env.BENCH_EVENTS ?? 200_000);
const kept = process.env.BENCH_DATABASE;
const database = kept ?? `scs_bench_reporting_${randomBytes(4).toString('hex')}`;
const only = process.env.BENCH_ONLY?.split(',');
const runs = (part: string) => !only || only.includes(part);
const DISTRICTS = ['Pune', 'Mumbai', 'Nagpur', 'Nashik'];
const BOARDS = ['CBSE', 'ICSE', 'State'];

/** A step's event, as the step module would record it (the data a real run carries). */
function stepEvent(
  action: ActionName,
  state: SchoolState,
  run: { attempt: number; startedAt: string; finishedAt: string },
): SchoolEvent {
  const db = state.databaseName;
  const domain = state.subdomain;
  switch (action) {
    case 'reserve_slug':
      return {
        type: 'SlugReserved',
        data: { ...run, slug: state.details.slug, slugStream: `school_slug-${state.details.slug}`, slugRevision: 0 },
      };
    case 'create_database':
      return {
        type: 'DatabaseCreated',
        data: { ...run, databaseName: db, method: 'template', alreadyExisted: false, durationMs: 180 },
      };
    case 'run_migrations':
      return {
        type: 'MigrationsApplied',
        data: {
          ...run,
          databaseName: db,
          schemaVersion: '0004',
          applied: ['0004'],
          tableCount: 57,
          durationMs: 40,
          credentialsKeyId: 'k1',
        },
      };
    case 'create_dns':
      return {
        type: 'DnsRecordCreated',
        data: {
          ...run,
          provider: 'local',
          name: domain,
          recordType: 'A',
          value: '203.0.113.7',
          reference: `local:${randomUUID()}`,
        },
      };
    case 'issue_certificate':
      return {
        type: 'CertificateIssued',
        data: {
          ...run,
          provider: 'local',
          domain,
          reference: 'local:1',
          serialNumber: randomBytes(8).toString('hex'),
          issuer: 'CN=SCS Local CA',
          notBefore: run.finishedAt,
          notAfter: new Date(Date.parse(run.finishedAt) + 90 * 86_400_000).toISOString(),
        },
      };
    case 'deliver_certificate': {
      const serialNumber = state.resources.certificate?.serialNumber ?? '';
      return { type: 'CertificateDelivered', data: { ...run, delivery: 'none', domain, serialNumber, changed: false } };
    }
    case 'register_school':
      return { type: 'SchoolRegistered', data: { ...run, alreadyRegistered: false } };
    case 'send_welcome_email':
      return {
        type: 'WelcomeEmailSent',
        data: { ...run, provider: 'outbox', to: state.details.adminEmail, messageId: `<${randomUUID()}@scs>` },
      };
    case 'release_slug':
      return { type: 'SlugReleased', data: { ...run, slug: state.details.slug } };
    case 'drop_database':
      return { type: 'DatabaseDropped', data: { ...run, databaseName: db, existed: true, terminatedConnections: 0 } };
    case 'delete_dns':
      return {
        type: 'DnsRecordDeleted',
        data: { ...run, provider: 'local', name: domain, recordType: 'A', existed: true, reference: 'local:1' },
      };
    case 'withdraw_certificate':
      return {
        type: 'CertificateWithdrawn',
        data: { ...run, delivery: 'none', domain, existed: false, owned: true },
      };
    case 'revoke_certificate':
      return { type: 'CertificateRevoked', data: { ...run, provider: 'local', revoked: true } };
    case 'unregister_school':
      return { type: 'SchoolUnregistered', data: { ...run, existed: true } };
    case 'suspend_school':
      return { type: 'SchoolSuspended', data: { ...run, reason: 'contract lapsed', terminatedSessions: 0 } };
    case 'resume_school':
      return { type: 'SchoolResumed', data: { ...run } };
    case 'update_registry': {
      const { name, district, board, adminEmail } = state.details;
      return { type: 'SchoolRegistryUpdated', data: { ...run, name, district, board, adminEmail, existed: true } };
    }
  }
}

/** One school's events: provisioned (a few retries, one in ten rolled back), one in eight later deleted. */
function school(n: number, start: number): SchoolEvent[] {
  const schoolId = randomUUID();
  let clock = start;
  const now = () => new Date((clock += 300 + ((n * 7919) % 4000))).toISOString();
  const slug = `school-${n}`;
  let events: SchoolEvent[] = [];
  let state: SchoolState | undefined;
  const apply = (command: SchoolCommand) => {
    const decided = decide(command, state);
    events = events.concat(decided);
    state = fold(decided, state);
  };
  apply({
    type: 'RequestSchool',
    data: {
      schoolId,
      details: {
        name: `School ${n}`,
        slug,
        district: DISTRICTS[n % 4],
        board: BOARDS[n % 3],
        adminEmail: `admin${n}@example.in`,
        phone: '+919876543210',
      },
      databaseName: `school_${schoolId.replaceAll('-', '')}`,
      subdomain: `${slug}.syncad.in`,
      slugStream: `school_slug-${slug}`,
      slugRevision: 0,
      now: now(),
    },
  });
  let teardown = n % 8 === 0;
  for (let guard = 0; guard < 100; guard++) {
    const reaction = react(state, new Date(clock + 3_600_000).toISOString());
    if (reaction.type === 'ignore') {
      if (!teardown || state!.status !== 'active') break;
      teardown = false;
      apply({ type: 'RequestTeardown', data: { now: now() } });
      continue;
    }
    if (reaction.type === 'conclude') {
      apply({ type: 'Conclude', data: { now: now() } });
      continue;
    }
    if (reaction.type === 'wait') {
      clock = Date.parse(reaction.until);
      continue;
    }
    const startedAt = now();
    const finishedAt = now();
    const fails =
      (reaction.action === 'create_dns' && n % 5 === 0 && reaction.attempt === 1) ||
      (reaction.action === 'issue_certificate' && n % 10 === 3);
    if (fails) {
      apply({
        type: 'RecordStepFailure',
        data: {
          action: reaction.action,
          attempt: reaction.attempt,
          error: n % 10 === 3 ? 'rate limited: too many certificates' : 'PriorRequestNotComplete',
          permanent: n % 10 === 3,
          maxAttempts: 3,
          retryAt: new Date(clock + 1000).toISOString(),
          startedAt,
          finishedAt,
          now: finishedAt,
        },
      });
      continue;
    }
    const event = stepEvent(reaction.action, state!, { attempt: reaction.attempt, startedAt, finishedAt });
    apply({ type: 'RecordStepResult', data: { action: reaction.action, event, now: finishedAt } });
  }
  return events;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rows.length > 0;
  if (!exists) await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  pool.on('error', () => undefined); // the connections the final DROP ... WITH (FORCE) ends
  const readSide = new pg.Pool({ connectionString: url.toString(), max: 4 });
  readSide.on('error', () => undefined);
  try {
    await prepareCentralDatabase(url.toString(), silentLogger);
    const store = new PostgresEventStore({ pool });
    const t0 = performance.now();
    let total = exists ? Number((await pool.query('SELECT count(*) FROM scs_events')).rows[0].count) : 0;
    let schools = 0;
    const start = Date.parse('2026-09-01T00:00:00Z');
    while (total < target) {
      const batch = Array.from({ length: 32 }, (_, i) => school(schools + i, start + (schools + i) * 180_000));
      schools += batch.length;
      await Promise.all(
        batch.map((events, i) => {
          const id = (events[0].data as { schoolId: string }).schoolId;
          total += events.length;
          const metadata = {
            actor: i % 2 ? 'ops-1' : 'ops-2',
            correlationId: randomUUID(),
            now: new Date().toISOString(),
          };
          return store.append(
            schoolStreamId(id),
            events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata })),
            'no_stream',
          );
        }),
      );
    }
    const load = () =>
      `load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${cpus().length} cores`;
    console.log(
      exists
        ? `reused the ${total} events of ${database} (${load()})`
        : `generated ${total} events of ${schools} schools through decide in ` +
            `${((performance.now() - t0) / 1000).toFixed(1)} s (${load()})`,
    );
    await everyEventVisible(pool, store);
    // A store that has served for a while has been vacuumed by autovacuum; one written a second ago has
    // not, and the first read of each page also sets its hint bits (a write): the first projection timed
    // would pay that alone (36k against 44-50k events/s for the read model). BENCH_NO_VACUUM=1 times it so.
    if (!exists && process.env.BENCH_NO_VACUUM !== '1') {
      const t = performance.now();
      await pool.query('VACUUM (ANALYZE) scs_events');
      console.log(`vacuumed scs_events, as autovacuum would have, in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const projection of PROJECTIONS.filter((p) => runs(p.name))) {
      const t = performance.now();
      const { events } = await rebuildProjection(projection, store, readSide);
      const s = (performance.now() - t) / 1000;
      console.log(
        `rebuild ${projection.name.padEnd(18)} ${events} events in ${s.toFixed(2)} s: ` +
          `${Math.round(events / s)} events/s (${load()})`,
      );
    }
    if (runs('all')) {
      const t = performance.now();
      const { events } = await rebuildProjections(PROJECTIONS, store, readSide);
      const s = (performance.now() - t) / 1000;
      console.log(
        `rebuild --all (one read)  ${events} events into ${PROJECTIONS.length} projections in ${s.toFixed(2)} s: ` +
          `${Math.round(events / s)} events/s (${load()})`,
      );
    }
    if (runs('export')) await exportFigures(url.toString(), total, load);
    await store.close();
  } finally {
    await readSide.end().catch(() => undefined);
    await pool.end();
    if (!kept) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * Waits until readers see every event: a transaction held open elsewhere on the server (another
 * engineer's CREATE DATABASE) keeps the last appends above the horizon, and a rebuild started then
 * reads only the events below it (it once read 147,289 of 200,198).
 */
async function everyEventVisible(pool: pg.Pool, store: PostgresEventStore): Promise<void> {
  const last = await pool.query<{ c: string; p: string }>(
    'SELECT transaction_id::text AS c, global_position::text AS p FROM scs_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
  );
  const want = last.rows[0] && `${last.rows[0].c}/${last.rows[0].p}`;
  for (let waited = 0; want && waited < 120_000; waited += 100) {
    const head = await store.headPosition();
    if (head && `${head.commit}/${head.prepare}` === want) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (want) throw new Error('the last appends stayed above the transaction horizon for 2 minutes');
}

/** `scs audit export` as a process: events/s from its first line to its last, its RSS at 50k lines and at the end. */
async function exportFigures(databaseUrl: string, total: number, load: () => string): Promise<void> {
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'audit', 'export'], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      NODE_ENV: 'test',
      SCS_API_KEY: 'bench-key-0123456789abcdef',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const samples: string[] = [];
  let lines = 0;
  let first = 0;
  for await (const _ of createInterface({ input: child.stdout! })) {
    if (lines === 0) first = performance.now();
    lines++;
    if (lines === 50_000 || lines === 100_000 || lines === 150_000)
      samples.push(`${lines / 1000}k ${rss().toFixed(0)} MB`);
    if (lines === total) samples.push(`${Math.round(lines / 1000)}k ${rss().toFixed(0)} MB`);
  }
  const s = (performance.now() - first) / 1000;
  console.log(
    `audit export: ${lines} events in ${s.toFixed(2)} s: ${Math.round(lines / s)} events/s; ` +
      `RSS ${samples.join(', ')} (${load()})`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
