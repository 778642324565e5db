/**
 * A school schema rollout of a cheap migration (add a column and an index) over BENCH_N (default 100)
 * live schools: schools/s of `runRollout` (SCS_MIGRATION_CONCURRENCY, default 4, at a time), beside the
 * floor measured in the same run: the same SQL applied directly to the same databases by a plain loop
 * over `pg` connections (connect, BEGIN, SQL, COMMIT), sequentially and with the same concurrency.
 *   npx tsc -p tsconfig.json && node dist/bench/school-schema-rollout.js
 * Server: SCS_BENCH_DATABASE_URL (its maintenance database); unset: a private embedded PostgreSQL.
 * The schools are made directly (template clone + their provisioning events), not through the API.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { systemClock } from '../src/ports/clock.port.js';
import { silentLogger } from '../src/ports/logger.port.js';
import { databaseNameFor } from '../src/ports/tenant-databases.port.js';
import { NO_FAULTS } from '../src/ports/fault-points.port.js';
import { runRollout } from '../src/school/schema-rollout/schema-rollout.js';
import { schoolStreamId } from '../src/domain/school/events.js';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres-event-store.js';
import { maintenanceUrl, prepareCentralDatabase } from '../src/adapters/postgres/central-database.js';
import { latestDrizzleVersion } from '../src/adapters/postgres/drizzle-migrations.js';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { PostgresTenantServers } from '../src/adapters/tenant-databases/postgres/postgres-tenant-servers.js';
import { CENTRAL_SERVER } from '../src/domain/school/placement.js';
import { startTestPostgres, stopTestPostgres } from '../test/support/test-postgres.js';
import { addDrizzleMigration, copyDrizzleFolder } from '../test/support/drizzle-folders.js';

const n = Number(process.env.BENCH_N ?? 100);
const concurrency = Number(process.env.SCS_MIGRATION_CONCURRENCY ?? 4);
const SQL =
  'ALTER TABLE students ADD COLUMN nickname text;\nCREATE INDEX students_nickname_idx ON students (nickname);\n';
const UNDO = 'DROP INDEX students_nickname_idx; ALTER TABLE students DROP COLUMN nickname;';

/** The events of a provisioned school, as the process manager would have recorded them. */
function provisioned(id: string, databaseName: string, version: string, i: number) {
  const now = new Date().toISOString();
  const run = { attempt: 1, startedAt: now, finishedAt: now };
  const slug = `bench-${i}-${id.slice(0, 8)}`;
  const subdomain = `${slug}.syncad.in`;
  return [
    {
      type: 'SchoolRequested',
      data: {
        schoolId: id,
        name: `Bench ${i}`,
        slug,
        district: 'Pune',
        board: 'CBSE',
        adminEmail: 'a@b.example',
        phone: '+919876543210',
        databaseName,
        subdomain,
        requestedAt: now,
      },
    },
    { type: 'SlugReserved', data: { ...run, slug, slugStream: `school_slug-${slug}`, slugRevision: 0 } },
    {
      type: 'DatabaseCreated',
      data: { ...run, databaseName, method: 'template', alreadyExisted: false, durationMs: 1 },
    },
    {
      type: 'MigrationsApplied',
      data: {
        ...run,
        databaseName,
        schemaVersion: version,
        applied: [],
        tableCount: 0,
        durationMs: 1,
        recordedIn: 'drizzle' as const,
      },
    },
    {
      type: 'DnsRecordCreated',
      data: { ...run, provider: 'local', name: subdomain, recordType: 'A', value: '127.0.0.1', reference: 'bench' },
    },
    {
      type: 'CertificateIssued',
      data: {
        ...run,
        provider: 'local',
        domain: subdomain,
        reference: 'bench',
        serialNumber: 'bench',
        issuer: 'bench',
        notBefore: now,
        notAfter: now,
      },
    },
    {
      type: 'CertificateDelivered',
      data: { ...run, delivery: 'none', domain: subdomain, serialNumber: 'bench', changed: false },
    },
    { type: 'SchoolRegistered', data: { ...run, alreadyRegistered: false } },
    { type: 'WelcomeEmailSent', data: { ...run, provider: 'outbox', to: 'a@b.example', messageId: 'bench' } },
    { type: 'SchoolProvisioned', data: { provisionedAt: now, durationMs: 1 } },
  ];
}

/** The floor: the SQL straight into each database, `workers` plain loops over the list. */
async function floor(url: (db: string) => string, names: string[], workers: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < names.length) {
        const client = new pg.Client({ connectionString: url(names[next++]) });
        await client.connect();
        await client.query('BEGIN');
        await client.query(SQL);
        await client.query('COMMIT');
        await client.end();
      }
    }),
  );
  return performance.now() - t0;
}

async function undo(url: (db: string) => string, names: string[]): Promise<void> {
  for (const name of names) {
    const client = new pg.Client({ connectionString: url(name) });
    await client.connect();
    await client.query(UNDO);
    await client.end();
  }
}

async function main(): Promise<void> {
  const embedded = !process.env.SCS_BENCH_DATABASE_URL;
  const server = process.env.SCS_BENCH_DATABASE_URL ?? (await startTestPostgres());
  const url = (db: string) => Object.assign(new URL(server), { pathname: `/${db}` }).toString();
  const central = url(`scs_bench_rollout_${randomBytes(4).toString('hex')}`);
  const [before, after] = [copyDrizzleFolder([]), copyDrizzleFolder([])];
  const version = latestDrizzleVersion(before);
  addDrizzleMigration(after, 'bench_nickname', [SQL]);
  await prepareCentralDatabase(central, silentLogger);
  const pool = new pg.Pool({ connectionString: central, max: 10 });
  const store = new PostgresEventStore({ pool, logger: silentLogger });
  const old = new PostgresTenantDatabases({ serverUrl: maintenanceUrl(central), migrationsDir: before });
  const current = new PostgresTenantDatabases({ serverUrl: maintenanceUrl(central), migrationsDir: after });
  const names: string[] = [];
  try {
    await old.ensureTemplate();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const name = databaseNameFor(id);
      names.push(name);
      await old.create(name);
      await old.migrate(name);
      const events = provisioned(id, name, version, i).map((e) => ({
        ...e,
        metadata: { actor: 'bench', correlationId: 'bench', now: new Date().toISOString() },
      }));
      await store.append(schoolStreamId(id), events, 'no_stream');
    }
    console.log(
      `server ${new URL(server).host}${embedded ? ' (embedded)' : ''}: ${n} live schools at ${version}` +
        ` made in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const sequential = await floor(url, names, 1);
    await undo(url, names);
    const parallel = await floor(url, names, concurrency);
    await undo(url, names);
    const report = await runRollout(
      // Schools recorded without a server are on `central`, the one tenant server here.
      {
        store,
        servers: new PostgresTenantServers(pool, [
          { name: CENTRAL_SERVER, url: maintenanceUrl(central), databases: current },
        ]),
        faults: NO_FAULTS,
        logger: silentLogger,
        clock: systemClock,
      },
      {
        concurrency,
        timeouts: { lockTimeoutMs: 5000, statementTimeoutMs: 600_000 },
        policy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
        actor: 'bench',
        correlationId: 'bench',
      },
    );
    if (report.upgraded !== n)
      throw new Error(
        `rollout upgraded ${report.upgraded} of ${n}: ` +
          JSON.stringify(report.outcomes.find((o) => o.result !== 'upgraded')),
      );
    const rate = (ms: number) => n / (ms / 1000);
    const line = (label: string, ms: number) =>
      console.log(
        `${label.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(ms).toFixed(1).padStart(6)} schools/s`,
      );
    line('floor: plain pg loop, 1 at a time', sequential);
    line(`floor: plain pg loop, ${concurrency} at a time`, parallel);
    line(`scs schools migrate, ${concurrency} at a time`, report.durationMs);
    console.log(
      `ratio rollout / floor at the same concurrency: ${(rate(report.durationMs) / rate(parallel)).toFixed(2)}` +
        ` (rollout / sequential floor: ${(rate(report.durationMs) / rate(sequential)).toFixed(2)})`,
    );
  } finally {
    for (const name of names) await current.drop(name).catch(() => undefined);
    await pool.end();
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    for (const db of [new URL(central).pathname.slice(1), old.templateName, current.templateName]) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
    }
    await admin.end();
    rmSync(before, { recursive: true, force: true });
    rmSync(after, { recursive: true, force: true });
    if (embedded) await stopTestPostgres();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
