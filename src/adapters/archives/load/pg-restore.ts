import { execFile } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { StepError } from '../../../ports/step-error.js';
import { schemaVersionOf } from './schema-version.js';

const run = promisify(execFile);

/** pg_restore beside the configured pg_dump (the archive was made by it), else the one on the PATH. */
export function pgRestoreBeside(pgDump: string | undefined): string {
  if (!pgDump || basename(pgDump) !== 'pg_dump') return 'pg_restore';
  return join(dirname(pgDump), 'pg_restore');
}

/**
 * Restores a `pg_dump --format=custom` archive into an empty database: schema, rows, sequences and the
 * record of applied migrations (`drizzle.__drizzle_migrations`, or `schema_migrations` before Drizzle), so
 * `migrate` rolls it forward from the version it was archived at. No owner and no grants from the dump: the
 * restore step gives the database to the school's role.
 */
export async function pgRestore(bin: string, databaseUrl: string, file: string): Promise<void> {
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${databaseUrl}`];
  try {
    await run(bin, [...args, file], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const detail = missing ? `${bin} is not installed` : ((error as { stderr?: string }).stderr ?? '').trim();
    throw new StepError(`pg_restore failed: ${detail || String(error)}`, missing, { cause: error });
  }
}

/** What a restored database holds: its schema version, tables, rows and sequences (for the event). */
export async function describeRestored(
  client: pg.ClientBase,
): Promise<{ schemaVersion: string | null; tables: number; rows: number; sequences: number }> {
  const version = await schemaVersionOf(client);
  const counts = await client.query<{ tables: number; sequences: number }>(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations')::int AS tables,
            count(*) FILTER (WHERE c.relkind = 'S')::int AS sequences
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'`,
  );
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'`,
  );
  let rows = 0;
  for (const { name } of tables.rows) {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    rows += (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quoted}`)).rows[0].n;
  }
  return { schemaVersion: version, ...counts.rows[0], rows };
}
