import type pg from 'pg';
import type { AppLogger } from '../../ports/logger.port.js';
import { QUERY_READ_TIMEOUT } from './deadlines.js';

const UNREACHABLE_CODE =
  /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|08|57P0[123]|57014|53300)/;
const UNREACHABLE_MESSAGE = new RegExp(
  [
    'Connection terminated',
    QUERY_READ_TIMEOUT,
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'Client was closed and is not queryable',
    'terminating connection due to',
    'the database system is (starting up|shutting down|in recovery mode)',
  ].join('|'),
);

/**
 * The one classification of "PostgreSQL cannot be reached right now": socket errors, SQLSTATE class 08
 * (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now), 57014 (a statement
 * cancelled: SCS_DB_STATEMENT_TIMEOUT_MS passed), 53300 (too many connections) and the pg driver's own
 * messages (pool connect timeouts, a query left unanswered past SCS_DB_QUERY_TIMEOUT_MS). Looks
 * through `cause` and TypeORM's `driverError`, so a wrapped error is classified like the original.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && UNREACHABLE_CODE.test(code)) return true;
    if (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message)) return true;
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * A pg client emits 'error' when its server goes away while no query is running on it (idle in a pool,
 * checked out between two queries, or a LISTEN connection); without a listener Node ends the process.
 * The next query on the client reports the loss, so a listener that logs is all that is needed.
 */
export function guardClient<C extends pg.ClientBase>(client: C, what: string, logger?: AppLogger): C {
  client.on('error', (error: Error) => logger?.warn(`${what}: connection lost (${error.message})`));
  return client;
}

const guarded = new WeakSet<pg.ClientBase>();

/**
 * Guards a pool's connections (see guardClient): idle ones through the pool's 'error', checked-out
 * ones by a listener added when each is handed out, so that connections the pool made before it was
 * guarded (TypeORM opens one while initialising) are covered too.
 */
export function guardPool<P extends pg.Pool>(pool: P, what: string, logger?: AppLogger): P {
  pool.on('error', (error) => logger?.warn(`${what}: idle connection lost (${error.message})`));
  pool.on('acquire', (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', () => undefined); // the query that meets the loss reports it
  });
  return pool;
}
