import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ArchiveIntegrityError } from '../../src/ports/database-archives.port.js';
import { FolderDatabaseArchives } from '../../src/adapters/archives/folder/folder-archives.js';
import { latestDrizzleVersion, schoolSchemaDir } from '../../src/adapters/postgres/drizzle-migrations.js';
import { PostgresTenantDatabases } from '../../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { query, serverUrl, urlForDatabase, withClient } from '../support/databases.js';

/** A school database at schema 0003 filled through its tables' own sequences and foreign keys. */
const FILL = `
  INSERT INTO roles (code, name) SELECT 'r' || g, 'Role ' || g FROM generate_series(1, 40) g;
  INSERT INTO permissions (code, description) SELECT 'p' || g, 'Permission "' || g || '" ✓' FROM generate_series(1, 25) g;
  INSERT INTO role_permissions SELECT r.id, p.id FROM roles r JOIN permissions p ON p.id % 5 = r.id % 5;
  INSERT INTO users (email, display_name, last_login_at)
    SELECT 'u' || g || '@greenwood.example', 'User ' || g, CASE WHEN g % 2 = 0 THEN now() END FROM generate_series(1, 300) g;
  INSERT INTO user_roles SELECT u.id, 1 + (row_number() OVER (ORDER BY u.email))::int % 36 FROM users u;
  INSERT INTO school_settings (key, value) VALUES ('theme', '{"colour": "green", "nested": [1, 2, {"x": null}]}');
  -- The last roles go: the sequence is ahead of the highest id, and a restore must continue after it.
  DELETE FROM roles WHERE id > 36;`;

/** Every table's rows (as sorted JSON) and every sequence's next value. */
async function contents(
  database: string,
): Promise<{ tables: Record<string, unknown>; sequences: Record<string, string> }> {
  return withClient(urlForDatabase(database), async (client) => {
    const names = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations' ORDER BY 1`,
    );
    const tables: Record<string, unknown> = {};
    for (const { name } of names.rows) {
      const sql = `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') AS rows FROM public.${pg.escapeIdentifier(name)} t`;
      tables[name] = (await client.query(sql)).rows[0].rows;
    }
    const seqs = await client.query<{ name: string }>(
      `SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
    );
    const sequences: Record<string, string> = {};
    // nextval moves them on: each database is compared once after its archive was taken.
    for (const { name } of seqs.rows) {
      sequences[name] = (await client.query('SELECT nextval($1::regclass)::text AS v', [name])).rows[0].v;
    }
    return { tables, sequences };
  });
}

describe('restoring a school database from its archive (real PostgreSQL)', () => {
  const suffix = randomBytes(4).toString('hex');
  const templateName = `scs_tpl_restore_${suffix}`;
  const logger = { log: () => undefined, warn: () => undefined };
  const databases = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName, logger });
  const created: string[] = [];
  let dir: string;
  const schoolName = () => {
    const name = `school_${randomBytes(16).toString('hex')}`;
    created.push(name);
    return name;
  };
  const migrateTo = (name: string) => async (toVersion: string) => void (await databases.migrate(name, { toVersion }));
  let source: string;
  let before: Awaited<ReturnType<typeof contents>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scs-restore-'));
    source = schoolName();
    await databases.create(source, { empty: true });
    expect((await databases.migrate(source, { toVersion: '0003' })).schemaVersion).toBe('0003');
    await query(urlForDatabase(source), FILL);
  });
  afterAll(async () => {
    for (const name of created) await databases.drop(name);
    await databases.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a JSON-lines archive into a database migrated to its version, then rolls it forward', async () => {
    const archives = new FolderDatabaseArchives({
      dir,
      serverUrl: serverUrl(),
      retentionDays: 30,
      pgDump: '/nonexistent/pg_dump',
    });
    const archive = await archives.archive({ schoolId: randomUUID(), databaseName: source });
    expect(archive.format).toBe('scs-jsonl-v1');
    before = await contents(source);
    const target = schoolName();
    await databases.create(target, { empty: true });
    const migrated: string[] = [];
    const loaded = await archives.load({
      archive,
      databaseName: target,
      migrateTo: async (version) => {
        migrated.push(version);
        await migrateTo(target)(version);
      },
    });
    expect(migrated).toEqual(['0003']);
    // Every row archived is loaded (Drizzle's journal is in its own schema, made by the migration to 0003).
    expect(loaded).toMatchObject({ schemaVersion: '0003', rows: archive.rows! });
    expect(loaded.sequences).toBeGreaterThan(0);
    expect((await databases.migrate(target)).schemaVersion).toBe(latestDrizzleVersion(schoolSchemaDir()));
    const after = await contents(target);
    expect(after.tables).toEqual(before.tables);
    // Sequences continue where they were: roles' after the deleted ones, not after the highest id left.
    expect(after.sequences).toMatchObject(before.sequences);
    const [{ max }] = await query(urlForDatabase(target), 'SELECT max(id)::int AS max FROM roles');
    expect(Number(after.sequences.roles_id_seq)).toBe(max + 12); // 11 roles deleted after the highest left
    // Foreign keys are in force again after the load.
    await expect(query(urlForDatabase(target), `INSERT INTO role_permissions VALUES (999, 1)`)).rejects.toThrow(
      /foreign key/,
    );
  });

  it('an archive made before sequences were kept: each sequence continues after its column', async () => {
    const archives = new FolderDatabaseArchives({
      dir,
      serverUrl: serverUrl(),
      retentionDays: 30,
      pgDump: '/nonexistent/pg_dump',
    });
    const archive = await archives.archive({ schoolId: randomUUID(), databaseName: source });
    const { gunzipSync, gzipSync } = await import('node:zlib');
    const lines = gunzipSync(readFileSync(archive.location)).toString('utf8').split('\n');
    const old = join(dir, 'old.jsonl.gz');
    writeFileSync(old, gzipSync(lines.filter((l) => !l.startsWith('{"sequence"')).join('\n')));
    const sha256 = execFileSync('sha256sum', [old]).toString().split(' ')[0];
    const target = schoolName();
    await databases.create(target, { empty: true });
    await archives.load({
      archive: { location: old, format: 'scs-jsonl-v1', sha256 },
      databaseName: target,
      migrateTo: migrateTo(target),
    });
    const next = await query(urlForDatabase(target), `SELECT nextval('roles_id_seq')::text AS v`);
    expect(next[0].v).toBe('37');
  });

  it('refuses an archive whose SHA-256 differs from the recorded one, before loading anything', async () => {
    const archives = new FolderDatabaseArchives({
      dir,
      serverUrl: serverUrl(),
      retentionDays: 30,
      pgDump: '/nonexistent/pg_dump',
    });
    const archive = await archives.archive({ schoolId: randomUUID(), databaseName: source });
    const damaged = join(dir, 'damaged.jsonl.gz');
    copyFileSync(archive.location, damaged);
    const bytes = readFileSync(damaged);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(damaged, bytes);
    const target = schoolName();
    await databases.create(target, { empty: true });
    let migrated = false;
    const load = archives.load({
      archive: { ...archive, location: damaged },
      databaseName: target,
      migrateTo: async () => void (migrated = true),
    });
    await expect(load).rejects.toBeInstanceOf(ArchiveIntegrityError);
    await expect(load).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('is damaged') });
    expect(migrated).toBe(false);
    const tables = await query(
      urlForDatabase(target),
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(tables[0].n).toBe(0);
  });

  it('restores a pg_dump archive with pg_restore (schema, rows, sequences, its schema_migrations)', async () => {
    const server = Number((await query(serverUrl(), 'SHOW server_version_num'))[0].server_version_num) / 10000;
    let dumpMajor = 0;
    try {
      dumpMajor = Number(/(\d+)\./.exec(execFileSync('pg_dump', ['--version']).toString())?.[1]);
    } catch {
      // no pg_dump: the folder adapter writes JSON lines, tested above
    }
    if (dumpMajor < Math.floor(server)) return;
    const file = join(dir, 'school.dump');
    execFileSync('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${urlForDatabase(source)}`]);
    const sha256 = execFileSync('sha256sum', [file]).toString().split(' ')[0];
    const archives = new FolderDatabaseArchives({ dir, serverUrl: serverUrl(), retentionDays: 30 });
    const target = schoolName();
    await databases.create(target, { empty: true });
    const archive = { location: file, format: 'pg_dump-custom', sha256 };
    const loaded = await archives.load({ archive, databaseName: target, migrateTo: migrateTo(target) });
    expect(loaded.schemaVersion).toBe('0003');
    expect(loaded.rows).toBeGreaterThan(600);
    await databases.migrate(target);
    const [want, got] = [await contents(source), await contents(target)];
    expect(got.tables).toEqual(want.tables);
    expect(got.sequences).toMatchObject(want.sequences);
  });
});
