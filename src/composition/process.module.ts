import { TRACING, type Tracing } from '../ports/tracing.port.js';
import { Global, Module } from '@nestjs/common';
import { ProcessManager } from '../process-manager/process-manager.js';
import type { StepPorts } from '../process-manager/step-runner.js';
import { CertificateRenewer } from '../school/renewal/certificate-renewer.js';
import { CERTIFICATE_PROVIDER, type CertificateProvider } from '../ports/certificates.port.js';
import { CREDENTIALS_DELIVERY, type CredentialsDelivery } from '../ports/credentials-delivery.port.js';
import { CERTIFICATE_DELIVERY, type CertificateDelivery } from '../ports/certificate-delivery.port.js';
import { CHECKPOINT_STORE, type CheckpointStore } from '../ports/checkpoint-store.port.js';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { FAULT_POINTS, type FaultPoints } from '../ports/fault-points.port.js';
import { DATABASE_ARCHIVES, type DatabaseArchives } from '../ports/database-archives.port.js';
import { DNS_PROVIDER, type DnsProvider } from '../ports/dns.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { LOCKS, type Locks } from '../ports/locks.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { MAILER, type Mailer } from '../ports/mailer.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../ports/school-registry.port.js';
import { TENANT_SERVERS, type TenantServers } from '../ports/tenant-servers.port.js';
import type { Config } from '../config/config.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import type { ReadPool } from '../projections/queryable.js';
import { PROJECTIONS } from '../projections/registry.js';
import { faultPoints } from '../adapters/faults/fault-points.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { SchoolCredentials } from '../adapters/secrets/credentials.js';
import { APP_LOGGER, CONFIG, READ_SIDE } from './tokens.js';

const STEP_PORTS = Symbol('StepPorts');

/** What the steps may use (each step module takes only the ports it names). */
function stepPorts(
  ...ports: [
    Config,
    EventStore,
    TenantServers,
    DnsProvider,
    CertificateProvider,
    CertificateDelivery,
    Mailer,
    SchoolRegistry,
    DatabaseArchives,
    FaultPoints,
    SchoolCredentials,
    CredentialsDelivery,
  ]
): StepPorts {
  const [config, store, servers, dns, certificates, delivery, mailer, registry, archives, faults, credentials, cd] =
    ports;
  const { dnsTarget, suspendedDnsTarget } = config;
  const targets = { dnsTarget, ...(suspendedDnsTarget !== undefined && { suspendedDnsTarget }) };
  const credentialsDelivery = cd;
  return {
    ...{ store, servers, dns, certificates, delivery, mailer, registry, archives, faults, credentials },
    ...{ credentialsDelivery, ...targets },
  };
}

/** The work beside the requests: the process manager, the projections and the certificate renewer. */
@Global()
@Module({
  providers: [
    { provide: FAULT_POINTS, inject: [CONFIG, APP_LOGGER, CLOCK], useFactory: faultPoints },
    {
      provide: STEP_PORTS,
      inject: [
        CONFIG,
        EVENT_STORE,
        TENANT_SERVERS,
        DNS_PROVIDER,
        CERTIFICATE_PROVIDER,
        CERTIFICATE_DELIVERY,
        MAILER,
        SCHOOL_REGISTRY,
        DATABASE_ARCHIVES,
        FAULT_POINTS,
        SchoolCredentials,
        CREDENTIALS_DELIVERY,
      ],
      useFactory: stepPorts,
    },
    {
      provide: ProcessManager,
      inject: [EVENT_STORE, CHECKPOINT_STORE, STEP_PORTS, CLOCK, APP_LOGGER, CONFIG, LOCKS, PrometheusMetrics, TRACING],
      useFactory: (
        store: EventStore,
        checkpoints: CheckpointStore,
        ports: StepPorts,
        clock: Clock,
        logger: AppLogger,
        config: Config,
        locks: Locks,
        telemetry: PrometheusMetrics,
        tracing: Tracing,
      ) =>
        new ProcessManager(store, checkpoints, ports, clock, logger, {
          policy: config.retry,
          concurrency: config.concurrency,
          locks,
          telemetry,
          tracing,
        }),
    },
    {
      // Every projection of the registry, each in one replica at a time (its own lock).
      provide: ProjectionRunner,
      inject: [EVENT_STORE, READ_SIDE, APP_LOGGER, LOCKS, PrometheusMetrics],
      useFactory: (
        store: EventStore,
        readSide: ReadPool,
        logger: AppLogger,
        locks: Locks,
        telemetry: PrometheusMetrics,
      ) => new ProjectionRunner(PROJECTIONS, store, readSide, logger, locks, telemetry),
    },
    {
      provide: CertificateRenewer,
      inject: [EVENT_STORE, CERTIFICATE_PROVIDER, CERTIFICATE_DELIVERY, FAULT_POINTS, CLOCK, APP_LOGGER, CONFIG],
      useFactory: (
        store: EventStore,
        certificates: CertificateProvider,
        delivery: CertificateDelivery,
        faults: FaultPoints,
        clock: Clock,
        logger: AppLogger,
        config: Config,
      ) => new CertificateRenewer(store, certificates, delivery, faults, clock, logger, config.retry),
    },
  ],
  exports: [FAULT_POINTS, ProcessManager, ProjectionRunner, CertificateRenewer],
})
export class ProcessModule {}
