import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { LOCKS } from '../../application/ports/locks.port.js';
import type { AppLogger } from '../../application/ports/logger.port.js';
import type { Config } from '../../config/config.js';
import { PROJECTIONS } from '../../projections/registry.js';
import { AdvisoryLocks } from '../locks/postgres/advisory-locks.js';
import { bindEventStore, NO_APPENDS_APPLICATION, prepareCentralDatabase } from '../postgres/central-database.js';
import { guardPool } from '../postgres/connection-faults.js';
import { centralPoolOptions } from '../postgres/deadlines.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../postgres/embedded-postgres.js';
import { SchoolRegistryEntity } from '../registry/typeorm/typeorm-school-registry.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, type CentralDatabase } from './tokens.js';

/**
 * DATABASE_URL, or an embedded server SCS starts; the central schema migrated; bound to the kind of event
 * store it was built from (a mismatch rejects with EventStoreMismatchError, and nothing is left running).
 */
export async function openCentralDatabase(config: Config, logger: AppLogger): Promise<CentralDatabase> {
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

/** The pg pool under TypeORM's DataSource: the registry's and the read model's connections. */
export function poolOf(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as unknown as { master: pg.Pool }).master;
}

async function openDataSource(central: CentralDatabase, config: Config): Promise<DataSource> {
  const extra = { max: 8, ...centralPoolOptions(config.database) };
  // Named: these sessions never append events, so the event store's subscriptions need not wait for them.
  const options = {
    type: 'postgres' as const,
    url: central.url,
    applicationName: NO_APPENDS_APPLICATION,
    entities: [SchoolRegistryEntity],
    extra,
  };
  const dataSource = await new DataSource({ ...options, synchronize: false }).initialize();
  guardPool(poolOf(dataSource), 'central database (registry, read model)');
  return dataSource;
}

/** The central database family: the server, its pools (pg and TypeORM) and the advisory locks. */
@Global()
@Module({
  providers: [
    { provide: CENTRAL_DATABASE, inject: [CONFIG, APP_LOGGER], useFactory: openCentralDatabase },
    { provide: DataSource, inject: [CENTRAL_DATABASE, CONFIG], useFactory: openDataSource },
    {
      // Session advisory locks: one replica per school at a time, one running each projection, one the webhooks.
      provide: LOCKS,
      inject: [CENTRAL_DATABASE, CONFIG],
      useFactory: (central: CentralDatabase, config: Config) =>
        new AdvisoryLocks(central.url, config.concurrency + 2 + PROJECTIONS.length, config.database),
    },
  ],
  exports: [CENTRAL_DATABASE, DataSource, LOCKS],
})
export class CentralDatabaseModule {}
