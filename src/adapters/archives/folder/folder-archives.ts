import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import pg from 'pg';
import { systemClock, type Clock } from '../../../ports/clock.port.js';
import { guardClient } from '../../postgres/connection-faults.js';
import type {
  ArchiveRequest,
  DatabaseArchive,
  DatabaseArchives,
  LoadedArchive,
  LoadRequest,
} from '../../../ports/database-archives.port.js';
import { StepError } from '../../../ports/step-error.js';
import { sha256Of, verifyArchive } from '../load/archive-file.js';
import { loadJsonLines, readHeader } from '../load/json-lines.js';
import { describeRestored, pgRestore, pgRestoreBeside } from '../load/pg-restore.js';
import { schemaVersionOf } from '../load/schema-version.js';

const run = promisify(execFile);

/**
 * Final archives of school databases in a folder, one sub-folder per school. `pg_dump` (custom format)
 * is used when the machine has one at least as new as the server; otherwise (e.g. the embedded
 * PostgreSQL, whose package ships no pg_dump) every table is written as gzip'd JSON lines through a
 * cursor, with a first line naming the schema version and, last, each sequence's value, so the data
 * can be loaded into a database migrated to that version (`load`).
 */
export class FolderDatabaseArchives implements DatabaseArchives {
  private pgDumpMajor?: number | null;
  private readonly clock: Clock;

  /**
   * `serverUrl`: the server of databases archived without a `server`; `servers`: each tenant server's URL;
   * `clock`: names the archive files and dates the JSON lines' header (the system clock unless given).
   */
  constructor(
    private readonly options: {
      dir: string;
      serverUrl: string;
      retentionDays: number;
      pgDump?: string;
      servers?: ReadonlyMap<string, string>;
      clock?: Clock;
    },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  private urlFor(database: string, server?: string): string {
    const base = server === undefined ? this.options.serverUrl : this.options.servers?.get(server);
    if (!base) throw StepError.permanent(`archive: tenant server "${server}" is not configured`);
    const url = new URL(base);
    url.pathname = `/${database}`;
    return url.toString();
  }

  private async dumpMajor(): Promise<number | null> {
    if (this.pgDumpMajor !== undefined) return this.pgDumpMajor;
    try {
      const { stdout } = await run(this.options.pgDump ?? 'pg_dump', ['--version']);
      this.pgDumpMajor = Number(/(\d+)\.\d+/.exec(stdout)?.[1] ?? NaN) || null;
    } catch {
      this.pgDumpMajor = null;
    }
    return this.pgDumpMajor;
  }

  async archive(request: ArchiveRequest): Promise<DatabaseArchive> {
    if (!/^school_[0-9a-f]{32}$/.test(request.databaseName))
      throw StepError.permanent(`not a school database: ${request.databaseName}`);
    const folder = join(this.options.dir, request.schoolId);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stamp = this.clock.now().toISOString().replace(/[:.]/g, '-');
    const url = this.urlFor(request.databaseName, request.server);
    const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 }), 'archive');
    await client.connect();
    try {
      // Aliased `v`, the field read here: without it the major is NaN and every archive falls back to JSON lines.
      const serverMajor = Math.floor(
        Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0].v) /
          10000,
      );
      const dumpMajor = await this.dumpMajor();
      if (dumpMajor !== null && dumpMajor >= serverMajor) {
        await client.end();
        return await this.pgDump(url, join(folder, `${request.databaseName}-${stamp}.dump`));
      }
      return await this.jsonLines(client, join(folder, `${request.databaseName}-${stamp}.jsonl.gz`));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async pgDump(databaseUrl: string, file: string): Promise<DatabaseArchive> {
    const temp = `${file}.partial`;
    const args = ['--format=custom', '--no-owner', `--file=${temp}`, `--dbname=${databaseUrl}`];
    await run(this.options.pgDump ?? 'pg_dump', args, { maxBuffer: 16 * 1024 * 1024 });
    renameSync(temp, file);
    return { location: file, format: 'pg_dump-custom', bytes: statSync(file).size, sha256: await sha256Of(file) };
  }

  private async jsonLines(client: pg.Client, file: string): Promise<DatabaseArchive> {
    const temp = `${file}.partial`;
    const tables = (
      await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      )
    ).rows.map((r) => r.name);
    const version = await schemaVersionOf(client);
    const clock = this.clock;
    let rows = 0;
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify({ format: 'scs-jsonl-v1', schemaVersion: version, tables, archivedAt: clock.now().toISOString() })}\n`;
      // One snapshot for every table, read in batches through a cursor so memory stays flat.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        for (const table of tables) {
          await client.query(
            `DECLARE archive_cursor NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${pg.escapeIdentifier(table)} t`,
          );
          for (;;) {
            const batch = await client.query<{ row: string }>('FETCH 1000 FROM archive_cursor');
            if (batch.rows.length === 0) break;
            rows += batch.rows.length;
            yield batch.rows.map((r) => `{"table":${JSON.stringify(table)},"row":${r.row}}\n`).join('');
          }
          await client.query('CLOSE archive_cursor');
        }
        // In the same snapshot as the rows, so a restore's sequences continue after them.
        const sequences = await client.query<{ line: string }>(
          `SELECT json_build_object('sequence', sequencename, 'lastValue', last_value::text)::text AS line
             FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename`,
        );
        yield sequences.rows.map((r) => `${r.line}\n`).join('');
      } finally {
        await client.query('COMMIT').catch(() => undefined);
      }
    }
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(temp, { mode: 0o600 }));
    renameSync(temp, file);
    return { location: file, format: 'scs-jsonl-v1', bytes: statSync(file).size, sha256: await sha256Of(file), rows };
  }

  async exists(location: string): Promise<boolean> {
    return existsSync(location);
  }

  async load(request: LoadRequest): Promise<LoadedArchive> {
    const { archive, databaseName, server } = request;
    if (!existsSync(archive.location)) throw StepError.permanent(`archive ${archive.location} is gone`);
    await verifyArchive(archive.location, archive.sha256);
    const url = this.urlFor(databaseName, server);
    if (archive.format === 'pg_dump-custom') {
      await pgRestore(pgRestoreBeside(this.options.pgDump), url, archive.location);
      return this.withClient(url, describeRestored);
    }
    if (archive.format !== 'scs-jsonl-v1') throw StepError.permanent(`unknown archive format ${archive.format}`);
    const { schemaVersion } = await readHeader(archive.location);
    if (schemaVersion === null) throw StepError.permanent('the archive names no school schema version');
    await request.migrateTo(schemaVersion);
    const loaded = await this.withClient(url, (client) => loadJsonLines(client, archive.location));
    return { schemaVersion, ...loaded };
  }

  private async withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 }), 'restore');
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async purgeExpired(now: Date): Promise<number> {
    const limit = now.getTime() - this.options.retentionDays * 24 * 3600 * 1000;
    let removed = 0;
    let schools: string[];
    try {
      schools = readdirSync(this.options.dir);
    } catch {
      return 0;
    }
    for (const school of schools) {
      const folder = join(this.options.dir, school);
      for (const file of readdirSync(folder)) {
        if (statSync(join(folder, file)).mtimeMs < limit) {
          rmSync(join(folder, file), { force: true });
          removed++;
        }
      }
      if (readdirSync(folder).length === 0) rmSync(folder, { recursive: true, force: true });
    }
    return removed;
  }
}
