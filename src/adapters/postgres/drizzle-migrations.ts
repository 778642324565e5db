import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { projectRoot } from '../../shared/project-root.js';
import {
  advisoryLockKey,
  MigrationChecksumError,
  MigrationFailedError,
  type MigrationTimeouts,
} from './sql-migrations.js';

/**
 * A drizzle-kit migrations folder (`meta/_journal.json` and one `<tag>.sql` per entry), applied and
 * recorded exactly as drizzle-orm's own migrator does: a row `(hash, created_at)` in
 * `drizzle.__drizzle_migrations` per migration, `hash` the sha256 of the file and `created_at` the
 * journal's `when`. drizzle-orm's `migrate()` applies the entries whose `when` is later than the last
 * row's `created_at`, so after SCS it finds nothing to do, and SCS after it the same.
 */
export interface DrizzleMigration {
  /** The journal's tag, also the file's name: `0004_add_buses`. */
  tag: string;
  /** Its position in the journal from 1, four digits: the school schema version once it is applied. */
  version: string;
  /** The journal's `when` (ms), recorded as `created_at`. */
  when: number;
  /** sha256 of the file, hex, as drizzle-orm computes it. */
  hash: string;
  /** The file split at `--> statement-breakpoint`, as drizzle-orm splits it. */
  statements: string[];
}

const SCHEMA = '"drizzle"';
const TABLE = `${SCHEMA}."__drizzle_migrations"`;
/** drizzle-orm's own DDL for its journal table (pg-core dialect), so either side may create it. */
const CREATE = [
  `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
];

export function schoolSchemaDir(): string {
  return join(projectRoot(), 'school-schema', 'migrations');
}

export const versionAt = (count: number) => String(count).padStart(4, '0');

const cache = new Map<string, DrizzleMigration[]>();

/** The folder's migrations in journal order, read once per process by drizzle-orm's `readMigrationFiles`. */
export function listDrizzleMigrations(dir: string): DrizzleMigration[] {
  const cached = cache.get(dir);
  if (cached) return cached;
  const read = readMigrationFiles({ migrationsFolder: dir });
  // readMigrationFiles gives no names; the journal it read names them (same order, one each).
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string }>;
  };
  const migrations = read.map((m, i) => ({
    tag: journal.entries[i].tag,
    version: versionAt(i + 1),
    when: m.folderMillis,
    hash: m.hash,
    statements: m.sql.filter((s) => s.trim() !== ''),
  }));
  migrations.forEach((m, i) => {
    if (i > 0 && m.when <= migrations[i - 1].when)
      throw new Error(`${dir}: ${m.tag}'s "when" is not after ${migrations[i - 1].tag}'s; drizzle would skip it`);
  });
  cache.set(dir, migrations);
  return migrations;
}

/** The latest version shipped in the folder, `0000` when it has no migration. */
export function latestDrizzleVersion(dir: string): string {
  return versionAt(listDrizzleMigrations(dir).length);
}

type Row = { hash: string; created_at: string };

/** Where a database stands against the folder. `schema_migrations`: SCS's own table from before Drizzle. */
export interface RecordedState {
  format: 'drizzle' | 'schema_migrations' | 'none';
  /** Migrations drizzle-orm would consider applied (their `when` is not after the last row's). */
  applied: DrizzleMigration[];
  pending: DrizzleMigration[];
  /** Applied migrations whose file no longer has the recorded hash. */
  mismatched: DrizzleMigration[];
  /** Rows after the folder's last migration: migrations the database has that this folder does not. */
  ahead: number;
}

/** Reads what the database records, changing nothing. */
export async function recordedState(client: pg.ClientBase, dir: string): Promise<RecordedState> {
  const migrations = listDrizzleMigrations(dir);
  const tables = await client.query<{ drizzle: boolean; legacy: boolean }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS drizzle,
            to_regclass('public.schema_migrations') IS NOT NULL AS legacy`,
  );
  const { drizzle, legacy } = tables.rows[0];
  const rows = drizzle ? (await client.query<Row>(`SELECT hash, created_at::text FROM ${TABLE}`)).rows : [];
  if (rows.length === 0 && legacy) {
    // Before Drizzle: SQL file N of SCS's migrations/school was Drizzle migration N of the shipped folder.
    const count = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    const n = Math.min(count.rows[0].n, migrations.length);
    return {
      format: 'schema_migrations',
      applied: migrations.slice(0, n),
      pending: migrations.slice(n),
      mismatched: [],
      ahead: 0,
    };
  }
  const last = Math.max(-1, ...rows.map((r) => Number(r.created_at)));
  const hashes = new Map(rows.map((r) => [Number(r.created_at), r.hash]));
  const applied = migrations.filter((m) => m.when <= last);
  return {
    format: drizzle ? 'drizzle' : 'none',
    applied,
    pending: migrations.filter((m) => m.when > last),
    mismatched: applied.filter((m) => hashes.has(m.when) && hashes.get(m.when) !== m.hash),
    ahead: rows.filter((r) => Number(r.created_at) > (migrations.at(-1)?.when ?? -1)).length,
  };
}

export interface DrizzleMigrationResult {
  /** Tags run by this call. */
  applied: string[];
  /** Tags a database on `schema_migrations` had applied, recorded now in Drizzle's table without running. */
  adopted: string[];
  /** The version afterwards, and every migration recorded, in order. */
  version: string;
  all: string[];
}

/**
 * Applies the folder's pending migrations in one transaction (all or none, as drizzle-orm does), with
 * `timeouts` for the transaction when given. A changed applied migration is refused before anything runs.
 * A database on `schema_migrations` first gets its applied migrations recorded in Drizzle's table, in the
 * same transaction. A session advisory lock makes concurrent SCS migrators of one database take turns.
 */
export async function applyDrizzleMigrations(
  client: pg.ClientBase,
  dir: string,
  options: { timeouts?: MigrationTimeouts; upTo?: string } = {},
): Promise<DrizzleMigrationResult> {
  const lockKey = advisoryLockKey('scs-migrations:drizzle');
  await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
  try {
    const recorded = await recordedState(client, dir);
    // `upTo`: a version (the count of migrations) to stop at, for a restore's archive made at it.
    const limit = options.upTo === undefined ? Infinity : Number(options.upTo) - recorded.applied.length;
    const state = { ...recorded, pending: recorded.pending.slice(0, Math.max(0, limit)) };
    const mismatched = state.mismatched[0];
    if (mismatched) {
      const recorded = (await client.query<Row>(`SELECT hash FROM ${TABLE} WHERE created_at = $1`, [mismatched.when]))
        .rows[0].hash;
      throw new MigrationChecksumError(`${mismatched.tag}.sql`, recorded, mismatched.hash);
    }
    const adopted = state.format === 'schema_migrations' ? state.applied : [];
    const result = (all: DrizzleMigration[], applied: DrizzleMigration[]) => ({
      applied: applied.map((m) => m.tag),
      adopted: adopted.map((m) => m.tag),
      version: versionAt(all.length),
      all: all.map((m) => m.tag),
    });
    if (state.format === 'drizzle' && state.pending.length === 0) return result(state.applied, []);
    const running = { file: 'drizzle.__drizzle_migrations' };
    await inTransaction(client, options.timeouts, running, async () => {
      for (const statement of CREATE) await client.query(statement);
      for (const m of adopted) await record(client, m);
      for (const m of state.pending) {
        running.file = `${m.tag}.sql`;
        // The file's statements in one round trip (simple query protocol, inside this transaction): one
        // query per statement, as drizzle-orm's migrator sends them, made an empty database's ~280 statements
        // ~35% slower than the SQL files were (the floors bench's empty row). `\n;\n` ends a statement
        // even after a trailing comment or a missing semicolon; an empty statement is allowed.
        await client.query(m.statements.join('\n;\n'));
        await record(client, m);
      }
    });
    return result([...state.applied, ...state.pending], state.pending);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
  }
}

function record(client: pg.ClientBase, m: DrizzleMigration): Promise<unknown> {
  return client.query(`INSERT INTO ${TABLE} ("hash", "created_at") VALUES ($1, $2)`, [m.hash, m.when]);
}

async function inTransaction(
  client: pg.ClientBase,
  timeouts: MigrationTimeouts | undefined,
  running: { file: string },
  fn: () => Promise<void>,
): Promise<void> {
  await client.query('BEGIN');
  try {
    if (timeouts) {
      // SET LOCAL: the limits end with the transaction.
      const [lock, statement] = [Math.round(timeouts.lockTimeoutMs), Math.round(timeouts.statementTimeoutMs)];
      await client.query(`SET LOCAL lock_timeout = ${lock}; SET LOCAL statement_timeout = ${statement}`);
    }
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(running.file, [], error);
  }
}
