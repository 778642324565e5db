import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { advisoryLockKey, applySqlMigrations, listSqlMigrations } from '../../src/adapters/postgres/sql-migrations.js';
import {
  applyDrizzleMigrations,
  listDrizzleMigrations,
  schoolSchemaDir,
} from '../../src/adapters/postgres/drizzle-migrations.js';
import { addDrizzleMigration, copyDrizzleFolder } from '../support/drizzle-folders.js';
import { PostgresTenantDatabases } from '../../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { makingDatabasePrefix, spareDatabasePrefix } from '../../src/adapters/tenant-databases/postgres/spare-pool.js';
import { dropSpares, freshDatabase, serverUrl, urlForDatabase, withClient } from '../support/databases.js';
import { until } from '../support/event-store-fixtures.js';

// Template names are per test file, so parallel test files never clone (or block) each other's.
const suffix = randomBytes(4).toString('hex');
const templateName = `scs_tpl_test_${suffix}`;
const extraTemplates: string[] = [];
const created = new Set<string>();
const tempDirs: string[] = [];
const warnings: string[] = [];
const logger = { log: () => undefined, warn: (m: string) => void warnings.push(m) };
let databases: PostgresTenantDatabases;

function schoolName(): string {
  const name = `school_${randomBytes(16).toString('hex')}`;
  created.add(name);
  return name;
}

function onServer<T>(fn: (c: pg.Client) => Promise<T>, url = serverUrl()): Promise<T> {
  return withClient(url, fn);
}

async function dropDatabase(name: string): Promise<void> {
  await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

function tempMigrations(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scs-migrations-'));
  tempDirs.push(dir);
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(dir, file), sql);
  return dir;
}

const schoolFiles = listDrizzleMigrations(schoolSchemaDir());
const drizzleRows = (c: pg.ClientBase) =>
  c.query('SELECT hash, created_at::bigint::float8 AS created_at FROM drizzle.__drizzle_migrations ORDER BY id');

beforeAll(async () => {
  databases = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName, logger });
  await databases.ensureTemplate();
});

// Closed first (no spare is being made from the template while it is dropped); DROP DATABASE waits for a
// checkpoint each, which on a loaded machine took the whole default hook timeout once.
afterAll(async () => {
  await databases.close();
  for (const name of [...created, templateName, ...extraTemplates]) await dropDatabase(name);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}, 180_000);

describe('PostgresTenantDatabases', () => {
  it('migrate with an owner also secures the database for that role, in the same call', async () => {
    const name = schoolName();
    await databases.create(name);
    const role = `${name}_owner`;
    await expect(databases.migrate(name, { owner: { role: 'someone_else', password: 'x' } })).rejects.toThrow(
      /unexpected owner role/,
    );
    const migrated = await databases.migrate(name, { owner: { role, password: 'a-long-enough-password' } });
    expect(migrated.applied).toEqual([]);
    const facts = await onServer((c) =>
      c
        .query(
          `SELECT pg_get_userbyid(d.datdba) AS owner,
                  has_database_privilege('public', d.datname, 'CONNECT') AS public_connect,
                  has_database_privilege($2, d.datname, 'CONNECT') AS role_connect
             FROM pg_database d WHERE d.datname = $1`,
          [name, role],
        )
        .then((r) => r.rows[0]),
    );
    expect(facts).toEqual({ owner: role, public_connect: false, role_connect: true });
    const tables = await withClient(urlForDatabase(name), (c) =>
      c
        .query(
          `SELECT bool_and(has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE')) AS all_granted, count(*)::int AS n
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
          [role],
        )
        .then((r) => r.rows[0]),
    );
    expect(tables.n).toBeGreaterThan(0);
    expect(tables.all_granted).toBe(true);
    await databases.drop(name);
  });

  it('keeps its sessions on the server between calls, and closes them with close()', async () => {
    // A maintenance database of its own: every SCS on this server (other suites, other checkouts sharing
    // the machine's PostgreSQL) keeps sessions named scs-tenant-server on `postgres` too.
    const maintenance = await freshDatabase('scs_tenant_sessions');
    const own = new PostgresTenantDatabases({ serverUrl: maintenance.url, templateName, logger });
    let closed = false;
    try {
      const sessions = () =>
        onServer((c) =>
          c
            .query(
              `SELECT pid FROM pg_stat_activity WHERE application_name = 'scs-tenant-server' AND datname = $1 ORDER BY pid`,
              [maintenance.name],
            )
            .then((r) => r.rows.map((row) => row.pid as number)),
        );
      expect(await sessions()).toEqual([]);
      const name = schoolName();
      expect(await own.exists(name)).toBe(false);
      const first = await sessions();
      expect(first).toHaveLength(1);
      for (let i = 0; i < 5; i++) expect(await own.exists(name)).toBe(false);
      expect(await sessions()).toEqual(first);
      await own.close();
      closed = true;
      await until(sessions, (pids) => !pids.includes(first[0]));
    } finally {
      if (!closed) await own.close();
      await maintenance.drop();
    }
  });

  it('waits for a busy kept session as long as it takes, not for the connect timeout', async () => {
    // One session, opened within 300 ms: a create that waits on the template's lock holds it far longer.
    const own = new PostgresTenantDatabases({
      serverUrl: serverUrl(),
      templateName,
      logger,
      serverSessions: { max: 1, connectTimeoutMs: 300 },
    });
    const name = schoolName();
    const holder = new pg.Client({ connectionString: serverUrl() });
    await holder.connect();
    try {
      // Template maintenance's exclusive lock: a clone waits for it (holding its session).
      await holder.query('SELECT pg_advisory_lock($1)', [advisoryLockKey(`scs-school-template:${templateName}`)]);
      created.add(name);
      const creating = own.create(name);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const waiting = own.exists(name); // queued for the only session, for longer than 300 ms
      await new Promise((resolve) => setTimeout(resolve, 900));
      await holder.query('SELECT pg_advisory_unlock_all()');
      expect(await creating).toMatchObject({ databaseName: name, method: 'template' });
      // It ran once the create gave the session back. Before, the pool's connection timeout bounded this
      // wait too: "timeout exceeded when trying to connect".
      expect(await waiting).toBe(true);
    } finally {
      await holder.end();
      await own.close();
    }
  });

  it('clones the migrated template, so migrate finds nothing to apply and the full schema is there', async () => {
    const name = schoolName();
    const createdDb = await databases.create(name);
    expect(createdDb).toMatchObject({ databaseName: name, method: 'template', alreadyExisted: false });

    const migrated = await databases.migrate(name);
    expect(migrated).toMatchObject({
      databaseName: name,
      applied: [],
      schemaVersion: databases.currentSchemaVersion(),
    });
    expect(migrated.schemaVersion).toBe(schoolFiles[schoolFiles.length - 1].version);
    expect(migrated.tableCount).toBeGreaterThanOrEqual(55);

    await onServer(async (c) => {
      const recorded = await drizzleRows(c);
      expect(recorded.rows).toEqual(schoolFiles.map((f) => ({ hash: f.hash, created_at: f.when })));
      const tables = await c.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      const names = tables.rows.map((r) => r.table_name);
      expect(names.length).toBe(migrated.tableCount); // Drizzle's table is in its own schema
      for (const t of [
        'students',
        'guardians',
        'student_guardians',
        'staff',
        'enrollments',
        'timetable_slots',
        'student_attendance',
        'marks',
        'report_cards',
        'invoices',
        'payments',
        'payment_allocations',
        'refunds',
        'library_loans',
        'hostel_allocations',
        'transport_assignments',
        'notices',
        'audit_log',
        'user_roles',
      ]) {
        expect(names).toContain(t);
      }
      const counts = await c.query<{ fks: number; checks: number; uniques: number; indexes: number }>(`
        SELECT count(*) FILTER (WHERE contype = 'f')::int AS fks, count(*) FILTER (WHERE contype = 'c')::int AS checks,
               count(*) FILTER (WHERE contype = 'u')::int AS uniques,
               (SELECT count(*)::int FROM pg_indexes WHERE schemaname = 'public') AS indexes
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace`);
      expect(counts.rows[0].fks).toBeGreaterThanOrEqual(100);
      expect(counts.rows[0].checks).toBeGreaterThanOrEqual(50);
      expect(counts.rows[0].uniques).toBeGreaterThanOrEqual(30);
      expect(counts.rows[0].indexes).toBeGreaterThanOrEqual(180);
      // Every foreign key is backed by an index whose leading columns are exactly its columns.
      const unindexed = await c.query(`
        SELECT c.conname FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND NOT EXISTS (
          SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
            AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
            AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)`);
      expect(unindexed.rows).toEqual([]);
      // Constraints are live, not decorative.
      await expect(
        c.query(
          `INSERT INTO terms (academic_year_id, name, starts_on, ends_on) VALUES (999, 'T1', '2026-06-01', '2026-09-30')`,
        ),
      ).rejects.toMatchObject({ code: '23503' });
      await c.query(
        `INSERT INTO academic_years (name, starts_on, ends_on) VALUES ('2026-27', '2026-06-01', '2027-03-31')`,
      );
      await expect(
        c.query(`INSERT INTO academic_years (name, starts_on, ends_on) VALUES ('bad', '2027-06-01', '2027-03-31')`),
      ).rejects.toMatchObject({ code: '23514' });
    }, urlForDatabase(name));
  });

  it('creates an empty database when there is no template, and migrate then applies every migration once', async () => {
    const absent = `scs_tpl_absent_${suffix}`;
    const noTemplate = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName: absent });
    const name = schoolName();
    expect(await noTemplate.create(name)).toMatchObject({ method: 'empty', alreadyExisted: false });
    const first = await noTemplate.migrate(name);
    expect(first.applied).toEqual(schoolFiles.map((f) => f.tag));
    expect(first.schemaVersion).toBe(noTemplate.currentSchemaVersion());

    const again = await noTemplate.migrate(name);
    expect(again.applied).toEqual([]);
    // Same schema as a clone of the template.
    const clone = schoolName();
    await databases.create(clone);
    expect(again.tableCount).toBe((await databases.migrate(clone)).tableCount);
    expect(await noTemplate.exists(name)).toBe(true);
    expect(
      await onServer(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [absent])).rowCount),
    ).toBe(0);
  });

  it('treats a second create of the same school as already done', async () => {
    const name = schoolName();
    expect(await databases.create(name)).toMatchObject({ alreadyExisted: false });
    expect(await databases.create(name)).toMatchObject({ databaseName: name, alreadyExisted: true });
    expect(await databases.exists(name)).toBe(true);
  });

  it('clones five schools at once from the same template', async () => {
    const names = Array.from({ length: 5 }, schoolName);
    const results = await Promise.all(names.map((n) => databases.create(n)));
    expect(results.map((r) => [r.method, r.alreadyExisted])).toEqual(names.map(() => ['template', false]));
    expect(await databases.list()).toEqual(expect.arrayContaining(names));
    const migrated = await Promise.all(names.map((n) => databases.migrate(n)));
    expect(migrated.map((m) => m.applied)).toEqual(names.map(() => []));
  });

  it('lets exactly one of two concurrent creates of the same school create it', async () => {
    const name = schoolName();
    const other = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName });
    const results = await Promise.all([databases.create(name), other.create(name)]);
    expect(results.map((r) => r.alreadyExisted).sort()).toEqual([false, true]);
    expect(await databases.exists(name)).toBe(true);
  });

  it('drops a school database that has an open connection, terminating it', async () => {
    const name = schoolName();
    await databases.create(name);
    const session = new pg.Client({ connectionString: urlForDatabase(name) });
    const errors: Error[] = [];
    const lost = new Promise<void>((resolve) => session.on('error', (e) => resolve(void errors.push(e))));
    await session.connect();
    await session.query('SELECT 1');

    const dropped = await databases.drop(name);
    expect(dropped).toEqual({ databaseName: name, existed: true, terminatedConnections: 1 });
    expect(await databases.exists(name)).toBe(false);
    await lost;
    expect(errors[0].message).toMatch(/terminat/i);
    await session.end().catch(() => undefined);

    expect(await databases.drop(name)).toEqual({ databaseName: name, existed: false, terminatedConnections: 0 });
  });

  it('reports a database that is not there as not existing when dropped', async () => {
    const name = schoolName();
    expect(await databases.drop(name)).toEqual({ databaseName: name, existed: false, terminatedConnections: 0 });
  });

  it('refuses names that are not school_<32 hex> before touching the server', async () => {
    const before = await onServer(async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_database')).rows[0].n);
    const bad = [
      'postgres',
      templateName,
      'school_abc',
      `school_${'A'.repeat(32)}`,
      `school_${'a'.repeat(33)}`,
      `school_${'a'.repeat(32)}"; DROP DATABASE postgres; --`,
      ` school_${'a'.repeat(32)}`,
    ];
    for (const name of bad) {
      await expect(databases.create(name)).rejects.toMatchObject({ name: 'StepError', permanent: true });
      await expect(databases.migrate(name)).rejects.toThrow(/not a school database name/);
      await expect(databases.drop(name)).rejects.toThrow(/not a school database name/);
      await expect(databases.exists(name)).rejects.toThrow(/not a school database name/);
    }
    expect(await onServer(async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_database')).rows[0].n)).toBe(
      before,
    );
    expect(() => new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName: 'x"; DROP' })).toThrow(/template/);
  });

  it('creates empty while a template is behind, and ensureTemplate (from several processes at once) migrates it forward', async () => {
    const behind = `scs_tpl_behind_${suffix}`;
    extraTemplates.push(behind);
    await onServer((c) => c.query(`CREATE DATABASE ${behind}`));
    const firstOnly = copyDrizzleFolder(tempDirs, { keep: 1 });
    await onServer((c) => applyDrizzleMigrations(c, firstOnly), urlForDatabase(behind));

    const instances = [1, 2, 3].map(
      () => new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName: behind }),
    );
    const early = schoolName();
    expect(await instances[0].create(early)).toMatchObject({ method: 'empty' });

    await Promise.all(instances.map((i) => i.ensureTemplate()));
    const recorded = await onServer(async (c) => (await drizzleRows(c)).rows, urlForDatabase(behind));
    expect(recorded.map((r) => r.hash)).toEqual(schoolFiles.map((f) => f.hash));
    const late = schoolName();
    expect(await instances[1].create(late)).toMatchObject({ method: 'template' });
    expect((await instances[1].migrate(late)).applied).toEqual([]);
  });

  it('falls back to an empty database when someone stays connected to the template', async () => {
    const name = schoolName();
    const other = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName, logger });
    await other.ensureTemplate();
    const squatter = new pg.Client({ connectionString: urlForDatabase(templateName) });
    await squatter.connect();
    try {
      expect(await other.create(name)).toMatchObject({ method: 'empty', alreadyExisted: false });
    } finally {
      await squatter.end();
    }
    expect(warnings.join('\n')).toMatch(new RegExp(`cloning ${templateName} into ${name} failed`));
    expect((await other.migrate(name)).applied).toHaveLength(schoolFiles.length);
  }, 40_000);
});

describe('applySqlMigrations', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase('scs_test_migrations');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('applies each migration once even when two migrators race, and refuses an edited one', async () => {
    const v1 = tempMigrations({
      '0001_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);',
      '0002_gadgets.sql': 'CREATE TABLE gadgets (id int PRIMARY KEY);',
    });
    const [a, b] = await Promise.all([
      onServer((c) => applySqlMigrations(c, v1, { table: 'm' }), db.url),
      onServer((c) => applySqlMigrations(c, v1, { table: 'm' }), db.url),
    ]);
    expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([['0001_widgets', '0002_gadgets'], []]);
    expect(a.version).toBe('0002');
    expect(b.version).toBe('0002');

    const edited = tempMigrations({
      '0001_widgets.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY);',
      '0002_gadgets.sql': 'CREATE TABLE gadgets (id int PRIMARY KEY);',
      '0003_sprockets.sql': 'CREATE TABLE sprockets (id int);',
    });
    await expect(onServer((c) => applySqlMigrations(c, edited, { table: 'm' }), db.url)).rejects.toMatchObject({
      name: 'MigrationChecksumError',
      file: '0001_widgets.sql',
      message: expect.stringMatching(/changed after it was applied/),
    });
    const sprockets = await onServer((c) => c.query(`SELECT to_regclass('sprockets') AS t`), db.url);
    expect(sprockets.rows[0].t).toBeNull(); // nothing after the refusal ran
  });

  it('rolls a failing migration back whole and records nothing for it', async () => {
    const dir = tempMigrations({
      '0001_ok.sql': 'CREATE TABLE ok_table (id int);',
      '0002_broken.sql': 'CREATE TABLE half (id int);\nSELECT * FROM no_such_table;',
    });
    await expect(onServer((c) => applySqlMigrations(c, dir, { table: 'm2' }), db.url)).rejects.toThrow(
      /0002_broken\.sql failed.*no_such_table/,
    );
    const state = await onServer(
      async (c) => ({
        versions: (await c.query('SELECT version FROM m2')).rows.map((r) => r.version),
        half: (await c.query(`SELECT to_regclass('half') AS t`)).rows[0].t,
      }),
      db.url,
    );
    expect(state).toEqual({ versions: ['0001'], half: null });
  });

  it('lists NNNN_name.sql files in order and rejects misnamed or duplicate versions', () => {
    const dir = tempMigrations({ '0002_b.sql': 'SELECT 2;', '0001_a.sql': 'SELECT 1;' });
    expect(listSqlMigrations(dir).map((m) => [m.version, m.name, m.file])).toEqual([
      ['0001', 'a', '0001_a.sql'],
      ['0002', 'b', '0002_b.sql'],
    ]);
    expect(listSqlMigrations(dir)[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(() => listSqlMigrations(tempMigrations({ '1_a.sql': 'SELECT 1;' }))).toThrow(/NNNN_/);
    expect(() => listSqlMigrations(tempMigrations({ '0001_a.sql': '', '0001_b.sql': '' }))).toThrow(
      /share version 0001/,
    );
  });
});

describe('migrations of a live school database (rollouts)', () => {
  it('a migration blocked by a lock fails after lock_timeout, names itself, and keeps the ones before it', async () => {
    const name = schoolName();
    await databases.create(name);
    await databases.migrate(name);
    const dir = copyDrizzleFolder(tempDirs);
    const index = addDrizzleMigration(dir, 'index_students', ['CREATE INDEX students_rollout_idx ON students (id);']);
    const alter = addDrizzleMigration(dir, 'alter_students', ['ALTER TABLE students ADD COLUMN rollout_probe int;']);
    const rollout = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName, logger, migrationsDir: dir });
    const timeouts = { lockTimeoutMs: 300, statementTimeoutMs: 60_000 };
    const version = schoolFiles.at(-1)!.version;
    expect(await rollout.schemaStatus(name)).toEqual({
      databaseName: name,
      version,
      pending: [index, alter],
      mismatched: [],
      format: 'drizzle',
    });

    // A school app's long read transaction: ALTER TABLE waits for it, CREATE INDEX (a SHARE lock) does not.
    const app = new pg.Client({ connectionString: urlForDatabase(name) });
    await app.connect();
    try {
      await app.query('BEGIN');
      await app.query('SELECT count(*) FROM students');
      const t0 = performance.now();
      const failure = await rollout.migrate(name, { timeouts }).catch((e) => e);
      expect(performance.now() - t0).toBeLessThan(5000);
      // One transaction per school (as drizzle-orm's migrate): the index before it is rolled back with it.
      expect(failure).toMatchObject({
        name: 'SchemaMigrationError',
        migration: `${alter}.sql`,
        applied: [],
        permanent: false,
        message: expect.stringMatching(/lock timeout/),
      });
    } finally {
      await app.query('ROLLBACK');
      await app.end();
    }
    expect(await rollout.schemaStatus(name)).toMatchObject({ version, pending: [index, alter] });
    expect((await rollout.migrate(name, { timeouts })).applied).toEqual([index, alter]);

    const when = listDrizzleMigrations(dir).find((m) => m.tag === index)!.when;
    const edit = `UPDATE drizzle.__drizzle_migrations SET hash = 'edited' WHERE created_at = ${when}`;
    await onServer((c) => c.query(edit), urlForDatabase(name));
    expect((await rollout.schemaStatus(name)).mismatched).toEqual([index]);
    await expect(rollout.migrate(name)).rejects.toMatchObject({
      name: 'SchemaMigrationError',
      migration: `${index}.sql`,
      permanent: true,
    });
    await dropDatabase(rollout.templateName);
  }, 60_000);
});

describe('spare template clones (SCS_SPARE_DATABASES)', () => {
  const spareTemplate = `scs_tpl_spares_${suffix}`;
  const spares = () =>
    onServer((c) =>
      c
        .query<{ datname: string; oid: number; connect: boolean }>(
          `SELECT datname, oid::int, has_database_privilege('public', datname, 'CONNECT') AS connect
             FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname`,
          [spareDatabasePrefix(spareTemplate)],
        )
        .then((r) => r.rows),
    );
  const oidOf = (name: string) =>
    onServer((c) => c.query('SELECT oid::int FROM pg_database WHERE datname = $1', [name]).then((r) => r.rows[0]?.oid));
  type Spare = Awaited<ReturnType<typeof spares>>[number];

  /**
   * An adapter on the test's template keeping `count` spares, with them ready; closed after `fn`. `made`:
   * its ensureTemplate makes or brings the template forward, which leaves no spare until keepSpares.
   */
  async function withSpares(
    { count, made = false, migrationsDir }: { count: number; made?: boolean; migrationsDir?: string },
    fn: (kept: PostgresTenantDatabases, ready: Spare[]) => Promise<void>,
  ): Promise<void> {
    const options = { serverUrl: serverUrl(), templateName: spareTemplate, logger, spares: count, migrationsDir };
    const kept = new PostgresTenantDatabases(options);
    try {
      await kept.ensureTemplate();
      if (made) expect(await spares()).toHaveLength(0);
      kept.keepSpares();
      await fn(kept, await until(spares, (rows) => rows.length === count, 30_000));
    } finally {
      await kept.close();
    }
  }

  afterAll(async () => {
    await dropDatabase(spareTemplate);
    await dropSpares(spareTemplate);
  });

  it('keeps N ready, closed to PUBLIC; a create renames one and a new one is cloned behind it', async () => {
    await withSpares({ count: 2, made: true }, async (kept, ready) => {
      expect(ready.map((r) => r.connect)).toEqual([false, false]);
      const name = schoolName();
      const made = await kept.create(name);
      expect(made).toMatchObject({ databaseName: name, method: 'spare', alreadyExisted: false });
      // Renamed, not copied: the school database is one of the spares (same oid), and that spare is gone.
      const oid = await oidOf(name);
      expect(ready.map((r) => r.oid)).toContain(oid);
      const refilled = await until(spares, (rows) => rows.length === 2, 30_000);
      expect(refilled.map((r) => r.oid)).not.toContain(oid);
      // It is at the template's schema: migrate has nothing to do.
      const migrated = await kept.migrate(name);
      expect(migrated).toMatchObject({ schemaVersion: schoolFiles.at(-1)!.version, applied: [] });
      expect(migrated.tableCount).toBeGreaterThan(50);
      // A re-run (a crash after the rename) finds the database and takes no second spare.
      expect(await kept.create(name)).toMatchObject({ alreadyExisted: true });
      expect((await spares()).map((r) => r.oid)).toEqual(refilled.map((r) => r.oid));
    });
    // close() waited for the refill: no clone is still being made.
    const cloning = await onServer((c) =>
      c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query ILIKE 'CREATE DATABASE%scs_spare%'`),
    );
    expect(cloning.rows[0].n).toBe(0);
  }, 60_000);

  it('has had a session on each spare before it is one, so a school is not the first to connect', async () => {
    await withSpares({ count: 2 }, async (_kept, ready) => {
      // pg_stat_database counts sessions per database (its oid, so through the renames); a backend
      // reports its session as it exits, which the statistics may show a moment later.
      const sessions = () =>
        onServer((c) =>
          c
            .query<{ n: number }>('SELECT sessions::int AS n FROM pg_stat_database WHERE datid = ANY($1::oid[])', [
              ready.map((r) => r.oid),
            ])
            .then((r) => r.rows.map((row) => row.n)),
        );
      const counted = await until(sessions, (n) => n.length === 2 && n.every((x) => x >= 1), 5_000);
      expect(counted.every((n) => n >= 1)).toBe(true);
    });
  }, 60_000);

  it('concurrent creates each get a database of their own, and none waits for a spare that is not there', async () => {
    await withSpares({ count: 2 }, async (kept) => {
      const names = Array.from({ length: 5 }, schoolName);
      const results = await Promise.all(names.map((n) => kept.create(n)));
      expect(results.every((r) => !r.alreadyExisted)).toBe(true);
      const methods = results.map((r) => r.method);
      // The two ready ones are taken; the rest clone at once (a refill may finish in time for one more).
      expect(methods.filter((m) => m === 'spare').length).toBeGreaterThanOrEqual(2);
      expect(methods.every((m) => m === 'spare' || m === 'template')).toBe(true);
      expect(new Set(await Promise.all(names.map(oidOf))).size).toBe(5);
    });
  }, 60_000);

  it('a spare left half-made (a refill that died between its clone and its close) is dropped by the next', async () => {
    const leftover = `${makingDatabasePrefix(spareTemplate)}deadbeef`;
    await onServer((c) => c.query(`CREATE DATABASE ${leftover}`));
    expect(await oidOf(leftover)).toBeDefined();
    await withSpares({ count: 2 }, async (_kept, ready) => {
      expect(ready.map((r) => r.connect)).toEqual([false, false]);
      expect(
        await until(
          () => oidOf(leftover),
          (oid) => oid === undefined,
        ),
      ).toBeUndefined();
    });
  }, 60_000);

  it('a template brought forward drops the spares of its older self', async () => {
    let older: Spare[] = [];
    await withSpares({ count: 2 }, async (_kept, ready) => void (older = ready));
    const dir = copyDrizzleFolder(tempDirs);
    addDrizzleMigration(dir, 'spare_probe', ['CREATE TABLE spare_probe (id int);']);
    await withSpares({ count: 1, made: true, migrationsDir: dir }, async (forward, fresh) => {
      expect(older.map((r) => r.datname)).not.toContain(fresh[0].datname);
      const name = schoolName();
      expect(await forward.create(name)).toMatchObject({ method: 'spare' });
      const next = String(schoolFiles.length + 1).padStart(4, '0');
      expect(await forward.migrate(name)).toMatchObject({ schemaVersion: next, applied: [] });
    });
  }, 60_000);
});
