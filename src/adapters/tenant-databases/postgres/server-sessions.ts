import pg from 'pg';
import { guardClient, guardPool } from '../../postgres/connection-faults.js';
import { DeadlineClient, KEEPALIVE } from '../../postgres/deadlines.js';

/**
 * Kept sessions on the server (default 8), how long opening one may take (default 10 s), and how long a
 * statement may go unanswered before its session is closed (default: no limit).
 */
export interface ServerSessionLimits {
  max?: number;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** The SQLSTATE of a failed statement (`42P04`: the database exists, `3D000`: it does not, …). */
export const codeOf = (error: unknown) => (error as { code?: string }).code;

export async function databaseExists(server: pg.ClientBase, databaseName: string): Promise<boolean> {
  return (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName])).rowCount === 1;
}

/**
 * Sessions on one PostgreSQL server: kept ones on its maintenance database, and one per call on a school
 * database or the template (PostgreSQL refuses to clone a database that has sessions, so none is kept there).
 */
export class ServerSessions {
  /**
   * Sessions on the server's maintenance database, kept between calls: a school's create and secure
   * opened three, and each new session costs the server a process start (≈ 2.5 ms here). Idle ones
   * close after 10 s and never keep the process alive; one that saw an error is discarded, not reused.
   */
  private readonly kept: pg.Pool;

  constructor(
    private readonly serverUrl: string,
    limits: ServerSessionLimits = {},
  ) {
    // Named, so that operators (and the test) can tell SCS's kept sessions in pg_stat_activity.
    const max = limits.max ?? 8;
    const sessions = { connectionString: serverUrl, application_name: 'scs-tenant-server', max };
    // Opening a session times out; waiting for a busy one does not: the pool's own connectionTimeoutMillis
    // would also bound that wait, and a DROP DATABASE waits for a checkpoint (seconds on a busy disk), so
    // many drops queued on few sessions would fail with "timeout exceeded when trying to connect".
    const connectionTimeoutMillis = limits.connectTimeoutMs ?? 10_000;
    const query_timeout = limits.queryTimeoutMs;
    class Session extends DeadlineClient {
      constructor(config?: pg.ClientConfig) {
        super({ ...config, ...KEEPALIVE, connectionTimeoutMillis, query_timeout });
      }
    }
    const timeouts = { idleTimeoutMillis: 10_000, allowExitOnIdle: true };
    this.kept = guardPool(new pg.Pool({ ...sessions, ...timeouts, Client: Session }), 'tenant server');
  }

  /** Runs `fn` on a kept session on the maintenance database. */
  async withServer<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const client = await this.kept.connect();
    try {
      const result = await fn(client);
      client.release();
      return result;
    } catch (error) {
      client.release(true); // the failed call may have left its session holding a lock or a transaction
      throw error;
    }
  }

  /** Runs `fn` on a new session on `database`, ended afterwards. */
  async withDatabase<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    // A terminated idle session must not crash the process; the next query reports it.
    const options = { connectionString: this.urlOf(database), connectionTimeoutMillis: 10_000, ...KEEPALIVE };
    const client = guardClient(new pg.Client(options), 'tenant database');
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A client on `database`, for a copy between servers (the caller ends it). */
  async connectTo(database: string): Promise<pg.Client> {
    const options = { connectionString: this.urlOf(database), connectionTimeoutMillis: 10_000, ...KEEPALIVE };
    const client = guardClient(new pg.Client(options), 'school database copy');
    await client.connect();
    return client;
  }

  /** Closes the kept sessions. */
  end(): Promise<void> {
    return this.kept.end();
  }

  private urlOf(database: string): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }
}
