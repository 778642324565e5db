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

export interface DatabaseArchives {
  /** `server`: the tenant server the database is on (absent: the first configured). */
  archive(request: ArchiveRequest): Promise<DatabaseArchive>;
  /** Deletes archives older than the retention; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export const DATABASE_ARCHIVES = Symbol('DatabaseArchives');
