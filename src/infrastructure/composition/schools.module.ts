import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '../../application/ports/event-store.port.js';
import type { AppLogger } from '../../application/ports/logger.port.js';
import { SCHOOL_REGISTRY } from '../../application/ports/school-registry.port.js';
import { TENANT_DATABASES } from '../../application/ports/tenant-databases.port.js';
import type { Config } from '../../config/config.js';
import { resolveCredentialsKeys } from '../../config/dev-secrets.js';
import { SchoolQueries } from '../../projections/school-read-model/school-queries.js';
import { databaseNameOf, maintenanceUrl } from '../postgres/central-database.js';
import { TypeOrmSchoolRegistry } from '../registry/typeorm/typeorm-school-registry.js';
import { SchoolCredentials } from '../secrets/credentials.js';
import { PostgresTenantDatabases } from '../tenant-databases/postgres/postgres-tenant-databases.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, type CentralDatabase } from './tokens.js';

/** The schools family: their databases, their credentials, the registry and the read model's queries. */
@Global()
@Module({
  providers: [
    {
      provide: PostgresTenantDatabases,
      inject: [CONFIG, CENTRAL_DATABASE, APP_LOGGER],
      useFactory: (config: Config, central: CentralDatabase, logger: AppLogger) =>
        new PostgresTenantDatabases({
          serverUrl: maintenanceUrl(central.url),
          logger,
          owner: databaseNameOf(central.url),
          migrationsDir: config.schoolMigrationsDir,
        }),
    },
    { provide: TENANT_DATABASES, useExisting: PostgresTenantDatabases },
    {
      provide: SchoolCredentials,
      inject: [CONFIG, APP_LOGGER],
      useFactory: (config: Config, logger: AppLogger) => new SchoolCredentials(resolveCredentialsKeys(config, logger)),
    },
    {
      provide: SCHOOL_REGISTRY,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new TypeOrmSchoolRegistry(dataSource),
    },
    {
      provide: SchoolQueries,
      inject: [DataSource, EVENT_STORE],
      useFactory: (dataSource: DataSource, store: EventStore) => new SchoolQueries(dataSource, store),
    },
  ],
  exports: [PostgresTenantDatabases, TENANT_DATABASES, SchoolCredentials, SCHOOL_REGISTRY, SchoolQueries],
})
export class SchoolsModule {}
