import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { LOCKS } from '../ports/locks.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type { Config } from '../config/config.js';
import { PROJECTIONS } from '../projections/registry.js';
import { AdvisoryLocks } from '../adapters/locks/postgres/advisory-locks.js';
import {
  bindEventStore,
  NO_APPENDS_APPLICATION,
  prepareCentralDatabase,
} from '../adapters/postgres/central-database.js';
import { guardPool } from '../adapters/postgres/connection-faults.js';
import { centralPoolOptions } from '../adapters/postgres/deadlines.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../adapters/postgres/embedded-postgres.js';
import { SchoolRegistryEntity } from '../adapters/registry/typeorm/typeorm-school-registry.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, READ_SIDE, type CentralDatabase } from './tokens.js';

/**
 * DATABASE_URL, or an embedded server SCS starts; the central schema migrated; bound to the kind of event
 * store it was built from (a mismatch rejects with EventStoreMismatchError, and nothing is left running).
 */
async function openCentralDatabase(config: Config, logger: AppLogger): Promise<CentralDatabase> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(join(config.dataDir, 'embedded'), config.embeddedPostgresPort, logger);
    const server = new URL(embedded.url);
    server.pathname = '/scs';
    url = server.toString();
  }
  const options = { connectionString: url, max: 10, ...centralPoolOptions(config.database) };
  let pool: pg.Pool | undefined;
  try {
    await prepareCentralDatabase(url, logger);
    pool = guardPool(new pg.Pool(options), 'central database', logger);
    await bindEventStore(pool, config.eventStoreConnectionString ? 'eventstoredb' : 'postgres');
    return { url, pool, embedded };
  } catch (error) {
    await pool?.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

/**
 * The central connections of the sessions that never append events, split between the read side (the
 * projections' batches and rebuilds, the reports, GET /schools) and the registry (short statements, a
 * three-statement transaction to replace credentials).
 */
const READ_SIDE_CONNECTIONS = 6;
const REGISTRY_CONNECTIONS = 2;

/**
 * The read side's pool. Its sessions are named `scs-no-appends`: they never append events, so the event
 * store's subscriptions need not wait for them (and central migration 0029 refuses an append from one).
 */
function openReadSide(central: CentralDatabase, config: Config): pg.Pool {
  const options = {
    connectionString: central.url,
    application_name: NO_APPENDS_APPLICATION,
    max: READ_SIDE_CONNECTIONS,
    ...centralPoolOptions(config.database),
  };
  return guardPool(new pg.Pool(options), 'central database (read side)');
}

/** TypeORM for the registry's entity, on sessions named as the read side's (the registry appends no events). */
async function openDataSource(central: CentralDatabase, config: Config): Promise<DataSource> {
  const options = {
    type: 'postgres' as const,
    url: central.url,
    applicationName: NO_APPENDS_APPLICATION,
    entities: [SchoolRegistryEntity],
    extra: { max: REGISTRY_CONNECTIONS, ...centralPoolOptions(config.database) },
    // An idle connection lost is reported by the query that meets it; TypeORM guards those it holds.
    poolErrorHandler: () => undefined,
  };
  return new DataSource({ ...options, synchronize: false }).initialize();
}

/** The central database family: the server, its pools (the read side's, TypeORM's) and the advisory locks. */
@Global()
@Module({
  providers: [
    { provide: CENTRAL_DATABASE, inject: [CONFIG, APP_LOGGER], useFactory: openCentralDatabase },
    { provide: READ_SIDE, inject: [CENTRAL_DATABASE, CONFIG], useFactory: openReadSide },
    { provide: DataSource, inject: [CENTRAL_DATABASE, CONFIG], useFactory: openDataSource },
    {
      // Session advisory locks: one replica per school at a time, one running each projection, one the webhooks.
      provide: LOCKS,
      inject: [CENTRAL_DATABASE, CONFIG],
      useFactory: (central: CentralDatabase, config: Config) =>
        new AdvisoryLocks(central.url, config.concurrency + 2 + PROJECTIONS.length, config.database),
    },
  ],
  exports: [CENTRAL_DATABASE, READ_SIDE, DataSource, LOCKS],
})
export class CentralDatabaseModule {}
