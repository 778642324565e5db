import pg from 'pg';
import type { DatabaseDeadlines } from '../../config/config.js';

/**
 * TCP keepalive on every connection: a peer gone without a word (a partition, a host that died) is
 * noticed by the kernel instead of leaving the socket open for good. It does not notice a server that is
 * there but answers nothing (stopped, a stalled disk): its kernel still acknowledges; the deadlines do.
 */
export const KEEPALIVE = { keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

/** node-postgres's error when `query_timeout` passed with no answer from the server. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * A pg client that ends its connection when a query got no answer in time. The server may still be
 * working on that query, or not have read it yet: a pooled client that only gave up waiting would be
 * handed out again with the old query ahead of the next one. pg-pool ends it when `pool.query` fails;
 * this does the same for clients checked out with `pool.connect()` (TypeORM's, transactions), and the
 * pool then drops it when it is released. Ending a client with a query in flight destroys its socket.
 */
export class DeadlineClient extends pg.Client {}
const query = pg.Client.prototype.query;
DeadlineClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const result = (query as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise)
    result.catch((error: unknown) => {
      if ((error as Error)?.message === QUERY_READ_TIMEOUT) this.end().catch(() => undefined);
    });
  return result;
} as typeof query;

/**
 * Options of a pool on the central database: opening a connection, and waiting for a free one, within
 * `connectTimeoutMs`; each statement cut off by the server after `statementTimeoutMs` (57014) and given up
 * by SCS after `queryTimeoutMs` without an answer (the connection then closed).
 */
export function centralPoolOptions(deadlines: DatabaseDeadlines) {
  return {
    ...KEEPALIVE,
    connectionTimeoutMillis: deadlines.connectTimeoutMs,
    statement_timeout: deadlines.statementTimeoutMs,
    query_timeout: deadlines.queryTimeoutMs,
    Client: DeadlineClient,
  };
}
