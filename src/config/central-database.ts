import type { EnvReader } from './env-reader.js';

/** The central database (or the embedded one), the event store, and every PostgreSQL connection's deadlines. */
export interface CentralDatabaseSettings {
  /** Absent: run the embedded PostgreSQL server. */
  databaseUrl?: string;
  embeddedPostgresPort: number;
  /** EVENTSTORE_CONNECTION_STRING: events in KurrentDB (EventStoreDB); absent: in the central PostgreSQL database. */
  eventStoreConnectionString?: string;
  /**
   * Deadlines of every PostgreSQL connection (SCS_DB_*_TIMEOUT_MS): opening one (or waiting for a free one
   * in a central pool), a statement on the central database (the server's statement_timeout), and how long
   * SCS waits for any answer before it closes the connection: a server that answers nothing (stopped, or
   * behind a partition) then costs a request 503 after that, not the length of the outage.
   */
  database: DatabaseDeadlines;
}

export interface DatabaseDeadlines {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  /** A statement on a tenant server's maintenance database (a clone, a drop that waits for a checkpoint). */
  tenantQueryTimeoutMs: number;
}

const EVENT_STORE_URL = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\/[^/?]+/;

export function parseCentralDatabase(read: EnvReader, context: { production: boolean }): CentralDatabaseSettings {
  return {
    databaseUrl: databaseUrlOf(read, context.production),
    embeddedPostgresPort: read.int('SCS_EMBEDDED_PG_PORT', 54329, 1, 65535),
    eventStoreConnectionString: eventStoreOf(read),
    database: deadlinesOf(read),
  };
}

function databaseUrlOf(read: EnvReader, production: boolean): string | undefined {
  const databaseUrl = read.optional('DATABASE_URL');
  if (databaseUrl) {
    try {
      const url = new URL(databaseUrl);
      if (!['postgres:', 'postgresql:'].includes(url.protocol)) read.problem('DATABASE_URL must be a postgres:// URL');
    } catch {
      read.problem('DATABASE_URL is not a valid URL (postgres://user:password@host:5432/database)');
    }
  } else if (production) {
    read.problem('DATABASE_URL is required in production (the embedded PostgreSQL is for development)');
  }
  return databaseUrl;
}

function eventStoreOf(read: EnvReader): string | undefined {
  const connectionString = read.optional('EVENTSTORE_CONNECTION_STRING');
  if (connectionString && !EVENT_STORE_URL.test(connectionString))
    read.problem(
      'EVENTSTORE_CONNECTION_STRING must be a KurrentDB (EventStoreDB) connection string such as kurrentdb://eventstore:2113?tls=false or esdb://eventstore:2113?tls=false (kurrentdb+discover://… or esdb+discover://… for a cluster)',
    );
  return connectionString;
}

function deadlinesOf(read: EnvReader): DatabaseDeadlines {
  const deadlines = {
    connectTimeoutMs: read.int('SCS_DB_CONNECT_TIMEOUT_MS', 2000, 100, 600_000),
    statementTimeoutMs: read.int('SCS_DB_STATEMENT_TIMEOUT_MS', 2000, 100, 3_600_000),
    queryTimeoutMs: read.int('SCS_DB_QUERY_TIMEOUT_MS', 2500, 100, 3_600_000),
    tenantQueryTimeoutMs: read.int('SCS_DB_TENANT_QUERY_TIMEOUT_MS', 60_000, 100, 3_600_000),
  };
  if (deadlines.queryTimeoutMs < deadlines.statementTimeoutMs)
    read.problem(
      `SCS_DB_QUERY_TIMEOUT_MS=${deadlines.queryTimeoutMs} must not be below SCS_DB_STATEMENT_TIMEOUT_MS=` +
        `${deadlines.statementTimeoutMs}: a slow statement should end with the server's own error first`,
    );
  return deadlines;
}
