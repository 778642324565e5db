import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EnvReader } from './env-reader.js';

/** The school databases: their schema's migrations, how rollouts run, and the spare clones kept ready. */
export interface SchoolDatabaseSettings {
  /** SCS_SCHOOL_MIGRATIONS_DIR: a drizzle-kit migrations folder (absent: the shipped school-schema/migrations). */
  schoolMigrationsDir?: string;
  /** Schema rollouts: schools migrated at once, per-migration limits, and whether start-up rolls out. */
  schemaRollout: { concurrency: number; lockTimeoutMs: number; statementTimeoutMs: number; autoMigrate: boolean };
  /** SCS_SPARE_DATABASES: template clones each tenant server keeps ready for the next schools (0: none). */
  spareDatabases: number;
}

export function parseSchoolDatabases(read: EnvReader): SchoolDatabaseSettings {
  const schoolMigrationsDir = migrationsDirOf(read);
  const autoMigrate = read.flag('SCS_AUTO_MIGRATE_SCHOOLS');
  return {
    schoolMigrationsDir,
    spareDatabases: read.int('SCS_SPARE_DATABASES', 2, 0, 64),
    schemaRollout: {
      concurrency: read.int('SCS_MIGRATION_CONCURRENCY', 4, 1, 64),
      lockTimeoutMs: read.int('SCS_MIGRATION_LOCK_TIMEOUT_MS', 5000, 1, 3_600_000),
      statementTimeoutMs: read.int('SCS_MIGRATION_STATEMENT_TIMEOUT_MS', 600_000, 1, 86_400_000),
      autoMigrate,
    },
  };
}

function migrationsDirOf(read: EnvReader): string | undefined {
  const raw = read.env.SCS_SCHOOL_MIGRATIONS_DIR;
  if (!raw) return undefined;
  const dir = resolve(raw);
  if (!existsSync(join(dir, 'meta', '_journal.json')))
    read.problem(`SCS_SCHOOL_MIGRATIONS_DIR=${raw} is not a drizzle-kit migrations folder (no meta/_journal.json)`);
  return dir;
}
