import pg from 'pg';
import type { AppLogger } from '../../ports/logger.port.js';
import { guardClient } from './connection-faults.js';
import { applySqlMigrations, migrationsDir } from './sql-migrations.js';

/**
 * The application_name of central-database sessions that never append events (the read side's pool:
 * projections, reports, the read model's queries; TypeORM's: the registry). The PostgreSQL store's
 * subscriptions do not wait for their transactions, and central migration 0029 refuses an append from
 * such a session.
 */
export const NO_APPENDS_APPLICATION = 'scs-no-appends';

/** The same server's maintenance database, where databases are created and dropped. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
}

/** The name this instance marks what it makes with: SCS_OWNER_ID, or the central database's name. */
export function ownerIdOf(config: { ownerId?: string }, centralUrl: string): string {
  return config.ownerId ?? databaseNameOf(centralUrl);
}

/** Creates the central database if it is missing and brings it to the current central schema. */
export async function prepareCentralDatabase(
  databaseUrl: string,
  logger: AppLogger,
): Promise<{ applied: string[]; version: string }> {
  const name = databaseNameOf(databaseUrl);
  const admin = guardClient(new pg.Client({ connectionString: maintenanceUrl(databaseUrl) }), 'central set-up');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      logger.log(`creating the central database "${name}"`);
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await admin.end();
  }
  const client = guardClient(new pg.Client({ connectionString: databaseUrl }), 'central database migrations');
  await client.connect();
  try {
    const result = await applySqlMigrations(client, migrationsDir('central'));
    if (result.applied.length > 0) logger.log(`central database: applied ${result.applied.join(', ')}`);
    return result;
  } finally {
    await client.end();
  }
}

export type EventStoreKind = 'postgres' | 'eventstoredb';

/** The central database was built from the other event store: starting would mix two histories. */
export class EventStoreMismatchError extends Error {
  constructor(
    readonly bound: EventStoreKind,
    readonly wanted: EventStoreKind,
  ) {
    super(
      `this central database's read model and checkpoints were built from the ${bound} event store, but ` +
        (wanted === 'eventstoredb'
          ? 'EVENTSTORE_CONNECTION_STRING selects EventStoreDB'
          : 'EVENTSTORE_CONNECTION_STRING is unset, which selects the PostgreSQL event store') +
        `. Positions of one store mean nothing in the other; ${bound === 'eventstoredb' ? 'set EVENTSTORE_CONNECTION_STRING again' : 'unset EVENTSTORE_CONNECTION_STRING'}, or start on a new central database (DATABASE_URL).`,
    );
    this.name = 'EventStoreMismatchError';
  }
}

/** Binds the central database to an event store kind on first use, and refuses the other kind after. */
export async function bindEventStore(pool: pg.Pool, wanted: EventStoreKind): Promise<void> {
  await pool.query('INSERT INTO scs_event_store_binding (kind) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [
    wanted,
  ]);
  const bound = (await pool.query<{ kind: EventStoreKind }>('SELECT kind FROM scs_event_store_binding')).rows[0].kind;
  if (bound !== wanted) throw new EventStoreMismatchError(bound, wanted);
}
