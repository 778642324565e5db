import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ReadPool } from '../projections/queryable.js';
import { CERTIFICATE_PROVIDER, type CertificateProvider } from '../ports/certificates.port.js';
import { CERTIFICATE_DELIVERY, type CertificateDelivery } from '../ports/certificate-delivery.port.js';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { CREDENTIALS_DELIVERY, type CredentialsDelivery } from '../ports/credentials-delivery.port.js';
import { DNS_PROVIDER, type DnsProvider } from '../ports/dns.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { FAULT_POINTS, type FaultPoints } from '../ports/fault-points.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../ports/school-registry.port.js';
import { TENANT_SERVERS, type TenantServers } from '../ports/tenant-servers.port.js';
import type { ReconcileDeps } from '../reconcile/reconcile.js';
import type { Config } from '../config/config.js';
import { READINESS, REPORTING, type Reporting } from '../http/tokens.js';
import { BackgroundJobs } from '../lifecycle/background-jobs.js';
import { Connections } from '../lifecycle/connections.js';
import { ArchivePurge } from '../lifecycle/jobs/archive-purge.js';
import { AutoSchemaRollout } from '../lifecycle/jobs/auto-schema-rollout.js';
import { CertificateRenewalTimer } from '../lifecycle/jobs/certificate-renewal-timer.js';
import { MetricsServer } from '../lifecycle/jobs/metrics-server.js';
import { PeriodicReconcile } from '../lifecycle/jobs/periodic-reconcile.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { readinessOf } from '../lifecycle/readiness.js';
import { GaugeReadings } from '../adapters/metrics/gauge-readings.js';
import { Reconciliation } from '../reconcile/reconciliation.js';
import { SchemaRollouts } from '../school/schema-rollout/schema-rollouts.js';
import { ownerIdOf } from '../adapters/postgres/central-database.js';
import { SchoolCredentials } from '../adapters/secrets/credentials.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, READ_SIDE, type CentralDatabase } from './tokens.js';

/** What `reconcile` compares, from the composed adapters. */
function reconcileDeps(
  ...ports: [
    Config,
    CentralDatabase,
    EventStore,
    TenantServers,
    DnsProvider,
    CertificateProvider,
    CertificateDelivery,
    SchoolRegistry,
    CredentialsDelivery,
    SchoolCredentials,
  ]
): ReconcileDeps {
  const [config, central, store, servers, dns, certificates, delivery, registry, credentialsDelivery, credentials] =
    ports;
  const owner = ownerIdOf(config, central.url);
  return {
    ...{ store, servers, dns, certificates, delivery, registry, credentials, baseDomain: config.baseDomain },
    credentialsDelivery: { delivery: credentialsDelivery, owner },
  };
}

/**
 * The service's lifecycle (start the background work, then drain and close in order), its background jobs,
 * the operations both the jobs and the CLI run (reconcile, schema rollout), and what GET /ready and the
 * reporting routes read.
 */
@Global()
@Module({
  providers: [
    {
      provide: Reconciliation,
      inject: [
        CLOCK,
        CONFIG,
        CENTRAL_DATABASE,
        EVENT_STORE,
        TENANT_SERVERS,
        DNS_PROVIDER,
        CERTIFICATE_PROVIDER,
        CERTIFICATE_DELIVERY,
        SCHOOL_REGISTRY,
        CREDENTIALS_DELIVERY,
        SchoolCredentials,
      ],
      useFactory: (clock: Clock, ...ports: Parameters<typeof reconcileDeps>) =>
        new Reconciliation(reconcileDeps(...ports), clock),
    },
    {
      provide: SchemaRollouts,
      inject: [EVENT_STORE, TENANT_SERVERS, FAULT_POINTS, APP_LOGGER, CONFIG, CLOCK],
      useFactory: (
        store: EventStore,
        servers: TenantServers,
        faults: FaultPoints,
        logger: AppLogger,
        config: Config,
        clock: Clock,
      ) => new SchemaRollouts({ store, servers, faults, logger, clock }, config),
    },
    ArchivePurge,
    AutoSchemaRollout,
    PeriodicReconcile,
    MetricsServer,
    CertificateRenewalTimer,
    BackgroundJobs,
    Connections,
    Lifecycle,
    GaugeReadings,
    { provide: READINESS, inject: [DataSource, EVENT_STORE, TENANT_SERVERS], useFactory: readinessOf },
    {
      provide: REPORTING,
      inject: [READ_SIDE, EVENT_STORE, CONFIG],
      useFactory: (readSide: ReadPool, store: EventStore, config: Config): Reporting => ({
        readSide,
        store,
        stuckAfterSeconds: config.stuckAfterSeconds,
      }),
    },
  ],
  exports: [Lifecycle, Reconciliation, SchemaRollouts, READINESS, REPORTING],
})
export class LifecycleModule {}
