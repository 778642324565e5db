import { Global, Module } from '@nestjs/common';
import { CERTIFICATE_DELIVERY } from '../ports/certificate-delivery.port.js';
import { CREDENTIALS_DELIVERY } from '../ports/credentials-delivery.port.js';
import { CERTIFICATE_PROVIDER } from '../ports/certificates.port.js';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { DATABASE_ARCHIVES } from '../ports/database-archives.port.js';
import { DNS_PROVIDER } from '../ports/dns.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { MAILER } from '../ports/mailer.port.js';
import type { Config } from '../config/config.js';
import { maintenanceUrl, ownerIdOf } from '../adapters/postgres/central-database.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { createArchives, createCredentialsDelivery, createDelivery, createProviders } from './providers.js';
import { SchoolCredentials } from '../adapters/secrets/credentials.js';
import { tenantServerUrls } from './schools.module.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, type CentralDatabase } from './tokens.js';

const PROVIDERS = Symbol('Providers');
type Providers = Awaited<ReturnType<typeof createProviders>>;

/**
 * The providers family: DNS, certificates and mail as DNS_PROVIDER, CERT_PROVIDER and MAIL_PROVIDER chose,
 * where certificates are delivered (CERT_DELIVERY), how school apps get their credentials
 * (SCS_CREDENTIALS_DELIVERY), and the archives.
 */
@Global()
@Module({
  providers: [
    {
      provide: PROVIDERS,
      inject: [CONFIG, CENTRAL_DATABASE, SchoolCredentials, APP_LOGGER, CLOCK],
      useFactory: (
        config: Config,
        central: CentralDatabase,
        credentials: SchoolCredentials,
        logger: AppLogger,
        clock: Clock,
      ) =>
        createProviders(config, central.pool, credentials.sealingKeys(), logger, ownerIdOf(config, central.url), clock),
    },
    { provide: DNS_PROVIDER, inject: [PROVIDERS], useFactory: (p: Providers) => p.dns },
    { provide: CERTIFICATE_PROVIDER, inject: [PROVIDERS], useFactory: (p: Providers) => p.certificates },
    { provide: MAILER, inject: [PROVIDERS], useFactory: (p: Providers) => p.mailer },
    {
      provide: CERTIFICATE_DELIVERY,
      inject: [CONFIG, PROVIDERS, CENTRAL_DATABASE, APP_LOGGER, PrometheusMetrics],
      useFactory: (config: Config, p: Providers, central: CentralDatabase, logger: AppLogger, m: PrometheusMetrics) =>
        createDelivery(config, p.certificates, ownerIdOf(config, central.url), logger, (o) => m.certificateReload(o)),
    },
    {
      provide: CREDENTIALS_DELIVERY,
      inject: [CONFIG, CENTRAL_DATABASE],
      useFactory: (config: Config, central: CentralDatabase) =>
        createCredentialsDelivery(config, ownerIdOf(config, central.url)),
    },
    {
      provide: DATABASE_ARCHIVES,
      inject: [CONFIG, CLOCK, CENTRAL_DATABASE],
      useFactory: (config: Config, clock: Clock, central: CentralDatabase) =>
        createArchives(config, clock, maintenanceUrl(central.url), tenantServerUrls(config, central.url)),
    },
  ],
  exports: [DNS_PROVIDER, CERTIFICATE_PROVIDER, CERTIFICATE_DELIVERY, CREDENTIALS_DELIVERY, MAILER, DATABASE_ARCHIVES],
})
export class ProvidersModule {}
