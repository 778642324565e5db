import { StepError } from './step-error.js';

/** A school database's last contents, kept before it is dropped on teardown. */
export interface DatabaseArchive {
  /** Where it is: a file path (folder) or an s3:// URL. */
  location: string;
  /** `pg_dump-custom` (restore with pg_restore) or `scs-jsonl-v1` (one JSON row per line, gzip). */
  format: 'pg_dump-custom' | 'scs-jsonl-v1';
  bytes: number;
  sha256: string;
  rows?: number;
}

export interface ArchiveRequest {
  schoolId: string;
  databaseName: string;
  server?: string;
}

/** Load an archive into `databaseName`, which exists and is empty (made with `create(name, {empty: true})`). */
export interface LoadRequest {
  archive: { location: string; format: string; sha256: string };
  databaseName: string;
  server?: string;
  /**
   * Brings the empty database to the schema the archive was made at (JSON lines hold rows, not the schema):
   * the caller's `TenantDatabases.migrate(…, {toVersion})`, so the loader knows nothing of how migrations are kept.
   */
  migrateTo(schemaVersion: string): Promise<void>;
}

export interface LoadedArchive {
  /** The school schema version the archive was made at (null: it had no schema_migrations). */
  schemaVersion: string | null;
  tables: number;
  rows: number;
  sequences: number;
}

/** The archive's bytes are not the ones archived (their SHA-256 differs): nothing was loaded. Permanent. */
export class ArchiveIntegrityError extends StepError {
  constructor(location: string, expected: string, actual: string) {
    super(`archive ${location} is damaged: its SHA-256 is ${actual}, the teardown recorded ${expected}`, true);
    this.name = 'ArchiveIntegrityError';
  }
}

export interface DatabaseArchives {
  /** `server`: the tenant server the database is on (absent: the first configured). */
  archive(request: ArchiveRequest): Promise<DatabaseArchive>;
  /** Whether the archive is still there (not purged or removed). */
  exists(location: string): Promise<boolean>;
  /** Checks the archive's SHA-256, then loads it (pg_restore, or the JSON lines into a database at its version). */
  load(request: LoadRequest): Promise<LoadedArchive>;
  /** Deletes archives older than the retention; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export const DATABASE_ARCHIVES = Symbol('DatabaseArchives');
