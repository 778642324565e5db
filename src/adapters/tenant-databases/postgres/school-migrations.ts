import type pg from 'pg';
import type { MigrationTimeouts, SchemaStatus } from '../../../ports/tenant-databases.port.js';
import { SchemaMigrationError } from '../../../ports/tenant-databases.port.js';
import { StepError } from '../../../ports/step-error.js';
import { MigrationChecksumError, MigrationFailedError } from '../../postgres/sql-migrations.js';
import {
  applyDrizzleMigrations,
  listDrizzleMigrations,
  versionAt,
  type DrizzleMigrationResult,
  type RecordedState,
} from '../../postgres/drizzle-migrations.js';

/** Refuses (permanently) a version that is not among the folder's migrations. */
export function checkTargetVersion(dir: string, toVersion: string | undefined): void {
  const known = (version: string) =>
    /^\d{4}$/.test(version) && Number(version) >= 1 && Number(version) <= listDrizzleMigrations(dir).length;
  if (toVersion !== undefined && !known(toVersion)) {
    throw StepError.permanent(`school schema version ${toVersion} is not among this version's migrations`);
  }
}

/** Applies the folder's missing migrations (up to `upTo`) through `client`; a failure is a SchemaMigrationError. */
export async function applySchoolMigrations(
  client: pg.ClientBase,
  dir: string,
  options: { timeouts?: MigrationTimeouts; upTo?: string },
): Promise<DrizzleMigrationResult> {
  try {
    return await applyDrizzleMigrations(client, dir, options);
  } catch (error) {
    // An edited migration will not fix itself on retry.
    if (error instanceof MigrationChecksumError) {
      throw new SchemaMigrationError(error.message, error.file, [], true, error);
    }
    if (error instanceof MigrationFailedError) {
      throw new SchemaMigrationError(error.message, error.file, error.applied, false, error);
    }
    throw error;
  }
}

/** The tables of the public schema but SCS's own schema_migrations. */
export async function countTables(client: pg.ClientBase): Promise<number> {
  const tables = await client.query<{ n: number }>(
    // pg_class rather than information_schema.tables: the same count, cheaper (rollouts run it per school).
    `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'`,
  );
  return tables.rows[0].n;
}

export function schemaStatusOf(databaseName: string, state: RecordedState): SchemaStatus {
  const tags = (migrations: Array<{ tag: string }>) => migrations.map((m) => m.tag);
  return {
    databaseName,
    // A database ahead of the folder (another folder's migrations applied) says how far.
    version: versionAt(state.applied.length + state.ahead),
    pending: tags(state.pending),
    mismatched: tags(state.mismatched),
    format: state.format,
  };
}
