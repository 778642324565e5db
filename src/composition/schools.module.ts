import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { SCHOOL_REGISTRY } from '../ports/school-registry.port.js';
import { SCHOOL_CREDENTIALS } from '../ports/school-credentials.port.js';
import { TENANT_SERVERS } from '../ports/tenant-servers.port.js';
import { CENTRAL_SERVER } from '../domain/school/placement.js';
import type { Config } from '../config/config.js';
import { resolveCredentialsKeys } from '../config/dev-secrets.js';
import type { ReadPool } from '../projections/queryable.js';
import { SchoolQueries } from '../school/view/school-queries.js';
import { maintenanceUrl, ownerIdOf } from '../adapters/postgres/central-database.js';
import { TypeOrmSchoolRegistry } from '../adapters/registry/typeorm/typeorm-school-registry.js';
import { SchoolCredentials } from '../adapters/secrets/credentials.js';
import { PostgresTenantDatabases } from '../adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { PostgresTenantServers } from '../adapters/tenant-databases/postgres/postgres-tenant-servers.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, READ_SIDE, type CentralDatabase } from './tokens.js';

/**
 * SCS_TENANT_SERVERS, or the central server alone as `central`. Every server's databases are marked with
 * this central database's name, so each SCS instance lists only its own.
 */
export function tenantServerUrls(config: Config, centralUrl: string): Map<string, string> {
  const declared = config.tenantServers ?? [{ name: CENTRAL_SERVER, url: centralUrl }];
  return new Map(declared.map(({ name, url }) => [name, maintenanceUrl(url)]));
}

function tenantServers(config: Config, central: CentralDatabase, logger: AppLogger): PostgresTenantServers {
  const owner = ownerIdOf(config, central.url);
  const servers = [...tenantServerUrls(config, central.url)].map(([name, serverUrl]) => {
    const migrationsDir = config.schoolMigrationsDir;
    const spares = config.spareDatabases;
    const serverSessions = {
      connectTimeoutMs: config.database.connectTimeoutMs,
      queryTimeoutMs: config.database.tenantQueryTimeoutMs,
    };
    const databases = new PostgresTenantDatabases({ serverUrl, logger, owner, migrationsDir, spares, serverSessions });
    return { name, url: serverUrl, databases };
  });
  return new PostgresTenantServers(central.pool, servers, logger, central.url);
}

/** The schools family: their databases, their credentials, the registry and the read model's queries. */
@Global()
@Module({
  providers: [
    { provide: PostgresTenantServers, inject: [CONFIG, CENTRAL_DATABASE, APP_LOGGER], useFactory: tenantServers },
    { provide: TENANT_SERVERS, useExisting: PostgresTenantServers },
    {
      provide: SchoolCredentials,
      inject: [CONFIG, APP_LOGGER],
      useFactory: (config: Config, logger: AppLogger) => new SchoolCredentials(resolveCredentialsKeys(config, logger)),
    },
    { provide: SCHOOL_CREDENTIALS, useExisting: SchoolCredentials },
    {
      provide: SCHOOL_REGISTRY,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new TypeOrmSchoolRegistry(dataSource),
    },
    {
      provide: SchoolQueries,
      inject: [READ_SIDE, EVENT_STORE],
      useFactory: (readSide: ReadPool, store: EventStore) => new SchoolQueries(readSide, store),
    },
  ],
  exports: [
    PostgresTenantServers,
    TENANT_SERVERS,
    SchoolCredentials,
    SCHOOL_CREDENTIALS,
    SCHOOL_REGISTRY,
    SchoolQueries,
  ],
})
export class SchoolsModule {}
