import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../shared/project-root.js';

export interface SqlMigration {
  version: string;
  name: string;
  file: string;
  sql: string;
  /** sha256 of the file, hex. */
  checksum: string;
}

/** An applied migration whose file no longer matches what was run: fix it with a new migration. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly file: string,
    readonly recorded: string,
    readonly current: string,
  ) {
    super(
      `migration ${file} was changed after it was applied (recorded sha256 ${recorded.slice(0, 12)}…, file ${current.slice(0, 12)}…); add a new migration instead of editing an applied one`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/** A migration that failed in its database; it was rolled back, and those before it stay applied. */
export class MigrationFailedError extends Error {
  constructor(
    readonly file: string,
    readonly applied: string[],
    cause: unknown,
  ) {
    super(`migration ${file} failed and was rolled back: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/** Per-transaction limits for migrations of live databases, so one blocked school cannot hang a rollout. */
export interface MigrationTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export function migrationsDir(set: 'central'): string {
  return join(projectRoot(), 'migrations', set);
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const cache = new Map<string, SqlMigration[]>();

/**
 * The folder's `NNNN_name.sql` files in version order, read once per process. A `.sql` file that does
 * not follow the pattern, or two files sharing a version, is an error rather than silently skipped.
 */
export function listSqlMigrations(dir: string): SqlMigration[] {
  const cached = cache.get(dir);
  if (cached) return cached;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((file) => {
    const match = FILE.exec(file);
    if (!match) throw new Error(`${join(dir, file)}: migration files are named NNNN_lower_snake_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version: match[1], name: match[2], file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1].version === m.version)
      throw new Error(`${dir}: ${migrations[i - 1].file} and ${m.file} share version ${m.version}`);
  });
  cache.set(dir, migrations);
  return migrations;
}

/** A 64-bit advisory lock key derived from a name, so unrelated lock users do not collide. */
export function advisoryLockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Applies the folder's missing migrations to the connected database, each in its own transaction.
 * A session advisory lock (advisory locks are per database) makes concurrent migrators of one
 * database take turns; the loser finds everything applied. Every applied file's checksum is checked
 * first, so a changed migration is refused before anything new runs. `version` is the highest version
 * recorded in the database afterwards (it can be ahead of this code's files during a rolling deploy).
 */
export async function applySqlMigrations(
  client: pg.ClientBase,
  dir: string,
  options: { table?: string; timeouts?: MigrationTimeouts } = {},
): Promise<{ applied: string[]; version: string; all: string[] }> {
  const tableName = options.table ?? 'schema_migrations';
  const table = pg.escapeIdentifier(tableName);
  const migrations = listSqlMigrations(dir);
  const lockKey = advisoryLockKey(`scs-migrations:${tableName}`);
  await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    type Row = { version: string; name: string; checksum: string };
    const rows = (await client.query<Row>(`SELECT version, name, checksum FROM ${table}`)).rows;
    const recorded = new Map(rows.map((r) => [r.version, r.checksum]));
    const names = new Map(rows.map((r) => [r.version, `${r.version}_${r.name}`]));
    for (const migration of migrations) {
      const checksum = recorded.get(migration.version);
      if (checksum !== undefined && checksum !== migration.checksum)
        throw new MigrationChecksumError(migration.file, checksum, migration.checksum);
    }
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !recorded.has(m.version))) {
      await client.query('BEGIN');
      try {
        if (options.timeouts) {
          // SET LOCAL: the limits end with this migration's transaction.
          const { lockTimeoutMs, statementTimeoutMs } = options.timeouts;
          const [lock, statement] = [Math.round(lockTimeoutMs), Math.round(statementTimeoutMs)];
          await client.query(`SET LOCAL lock_timeout = ${lock}; SET LOCAL statement_timeout = ${statement}`);
        }
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationFailedError(migration.file, applied, error);
      }
      recorded.set(migration.version, migration.checksum);
      names.set(migration.version, `${migration.version}_${migration.name}`);
      applied.push(`${migration.version}_${migration.name}`);
    }
    const version = [...recorded.keys()].sort().pop() ?? '0000';
    return { applied, version, all: [...names.keys()].sort().map((v) => names.get(v)!) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
  }
}
