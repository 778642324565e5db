import { makingDatabasePrefix, spareDatabasePrefix } from '../../src/adapters/tenant-databases/postgres/spare-pool.js';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function serverUrl(): string {
  const url = process.env.SCS_TEST_DATABASE_URL;
  if (!url)
    throw new Error('SCS_TEST_DATABASE_URL is not set: run the tests through jest (its globalSetup starts PostgreSQL)');
  return url;
}

export function urlForDatabase(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty central database for one test file; `drop()` removes it. */
export async function freshDatabase(
  prefix = 'scs_test',
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: urlForDatabase(name),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      try {
        // School databases an SCS made for this central database carry its name in their comment.
        const schools = await c.query<{ datname: string }>(
          `SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') = $1`,
          [`scs-owner:${name}`],
        );
        for (const school of schools.rows) {
          await c.query(`DROP DATABASE IF EXISTS "${school.datname}" WITH (FORCE)`);
          await c.query(`DROP ROLE IF EXISTS "${school.datname}_owner"`);
        }
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs `fn` with a client connected to `url`, and closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** One query's rows. */
export async function query<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(text, params)).rows as T[]);
}

/** Drops the spare clones (SCS_SPARE_DATABASES) of a template a test made, with the template or after it. */
export async function dropSpares(templateName: string): Promise<void> {
  await withClient(serverUrl(), async (c) => {
    const spares = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)',
      [spareDatabasePrefix(templateName), makingDatabasePrefix(templateName)],
    );
    for (const { datname } of spares.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/** The major version of the `pg_dump` on the PATH, undefined without one. */
function machinePgDumpMajor(): number | undefined {
  try {
    return Number(/(\d+)\.\d+/.exec(execFileSync('pg_dump', ['--version']).toString())?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * The archive format a teardown should write for a database on the server at `url`, found independently of
 * the code under test: `pg_dump` custom where the machine's `pg_dump` is at least as new as the server (CI's
 * PostgreSQL 15), JSON lines otherwise (the embedded PostgreSQL 18 of a plain `npm test` here).
 */
export async function archiveFormatFor(url: string): Promise<'pg_dump-custom' | 'scs-jsonl-v1'> {
  const [{ major }] = await query(url, `SELECT current_setting('server_version_num')::int / 10000 AS major`);
  const dumpMajor = machinePgDumpMajor();
  return dumpMajor !== undefined && dumpMajor >= major ? 'pg_dump-custom' : 'scs-jsonl-v1';
}
