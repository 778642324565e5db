import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { FaultInjector } from '../application/process-manager/faults.js';
import { ProcessManager } from '../application/process-manager/process-manager.js';
import { reconcile, type ReconcileReport } from '../application/reconcile/reconcile.js';
import { CertificateRenewer } from '../application/renewal/certificate-renewer.js';
import { systemClock } from '../application/ports/clock.port.js';
import type { AppLogger } from '../application/ports/logger.port.js';
import type { Config } from '../config/config.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { PROJECTIONS } from '../projections/registry.js';
import { SchoolQueries } from '../projections/school-read-model/school-queries.js';
import { PostgresCheckpointStore } from './event-store/postgres/postgres-checkpoint-store.js';
import { PostgresEventStore } from './event-store/postgres/postgres-event-store.js';
import { EventStoreDbEventStore } from './event-store/eventstoredb/eventstoredb-event-store.js';
import type { EventStore } from '../application/ports/event-store.port.js';
import { RetryingAppends } from '../application/event-store/retrying-appends.js';
import type { Readiness, Reporting } from './http/tokens.js';
import { createArchives, createProviders } from './providers.js';
import { AdvisoryLocks } from './locks/postgres/advisory-locks.js';
import type { DatabaseArchives } from '../application/ports/database-archives.port.js';
import type { CertificateProvider } from '../application/ports/certificates.port.js';
import type { DnsProvider } from '../application/ports/dns.port.js';
import type { Mailer } from '../application/ports/mailer.port.js';
import { SchoolCredentials } from './secrets/credentials.js';
import { resolveCredentialsKeys } from '../config/dev-secrets.js';
import { bindEventStore, databaseNameOf, maintenanceUrl, prepareCentralDatabase } from './postgres/central-database.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './postgres/embedded-postgres.js';
import { SchoolRegistryEntity, TypeOrmSchoolRegistry } from './registry/typeorm/typeorm-school-registry.js';
import { PostgresTenantDatabases } from './tenant-databases/postgres/postgres-tenant-databases.js';
import { metricSources } from './metrics/metric-sources.js';
import { PrometheusMetrics } from './metrics/prometheus-metrics.js';

/** The connection string without a password, for the log. */
function redactedEventStore(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}

/** The composition root: every adapter, built from the validated configuration, and their lifecycle. */
export class Runtime {
  private reconcileTimer?: NodeJS.Timeout;
  private renewalTimer?: NodeJS.Timeout;

  private constructor(
    readonly config: Config,
    readonly databaseUrl: string,
    readonly pool: pg.Pool,
    readonly dataSource: DataSource,
    readonly store: EventStore,
    readonly databases: PostgresTenantDatabases,
    readonly dns: DnsProvider,
    readonly certificates: CertificateProvider,
    readonly mailer: Mailer,
    readonly registry: TypeOrmSchoolRegistry,
    readonly archives: DatabaseArchives,
    readonly queries: SchoolQueries,
    readonly projections: ProjectionRunner,
    readonly processManager: ProcessManager,
    readonly renewer: CertificateRenewer,
    private readonly locks: AdvisoryLocks,
    private readonly embedded: EmbeddedServer | undefined,
    private readonly logger: AppLogger,
    readonly credentials: SchoolCredentials,
    readonly metrics: PrometheusMetrics,
  ) {}

  static async create(config: Config, logger: AppLogger): Promise<Runtime> {
    let embedded: EmbeddedServer | undefined;
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres(join(config.dataDir, 'embedded'), config.embeddedPostgresPort, logger);
      const url = new URL(embedded.url);
      url.pathname = '/scs';
      databaseUrl = url.toString();
    }
    await prepareCentralDatabase(databaseUrl, logger);

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
    pool.on('error', (error) => logger.warn(`central database connection lost: ${error.message}`));
    try {
      await bindEventStore(pool, config.eventStoreConnectionString ? 'eventstoredb' : 'postgres');
    } catch (error) {
      await pool.end();
      await embedded?.stop().catch(() => undefined);
      throw error;
    }
    const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: [SchoolRegistryEntity], synchronize: false, extra: { max: 8, connectionTimeoutMillis: 10_000 } });
    await dataSource.initialize();

    const metrics = new PrometheusMetrics();
    // Every append gets its event ids before its first attempt, and is repeated with them when the
    // store could not be reached (application/event-store/retrying-appends).
    const store: EventStore = new RetryingAppends(config.eventStoreConnectionString
      ? new EventStoreDbEventStore({ connectionString: config.eventStoreConnectionString, logger })
      : new PostgresEventStore({ pool, logger }), { logger, telemetry: metrics });
    logger.log(config.eventStoreConnectionString ? `events in EventStoreDB at ${redactedEventStore(config.eventStoreConnectionString)}` : 'events in the central PostgreSQL database');
    const checkpoints = new PostgresCheckpointStore(pool);
    const databases = new PostgresTenantDatabases({ serverUrl: maintenanceUrl(databaseUrl), logger, owner: databaseNameOf(databaseUrl) });
    const credentials = new SchoolCredentials(resolveCredentialsKeys(config, logger));
    const { dns, certificates, mailer } = await createProviders(config, pool, credentials.sealingKeys(), logger);
    const registry = new TypeOrmSchoolRegistry(dataSource);
    const queries = new SchoolQueries(dataSource, store);
    // Session advisory locks: one replica per school at a time, one running each projection.
    const locks = new AdvisoryLocks(databaseUrl, config.concurrency + 1 + PROJECTIONS.length);
    const projections = new ProjectionRunner(PROJECTIONS, store, dataSource, logger, locks);
    const archives = createArchives(config, maintenanceUrl(databaseUrl));
    const faults = new FaultInjector(config.faults, join(config.dataDir, 'faults'));
    if (faults.active) logger.warn(`fault injection is ON: SCS_FAULTS=${config.faultsSpec}`);
    const renewer = new CertificateRenewer(store, certificates, faults, systemClock, logger, config.retry);
    const processManager = new ProcessManager(
      store,
      checkpoints,
      { store, databases, dns, certificates, mailer, registry, archives, faults, dnsTarget: config.dnsTarget,
        credentials },
      systemClock,
      logger,
      { policy: config.retry, concurrency: config.concurrency, locks, telemetry: metrics },
    );
    metrics.observe(metricSources({ pool, store, checkpoints, processManager }));
    return new Runtime(config, databaseUrl, pool, dataSource, store, databases, dns, certificates, mailer, registry,
      archives, queries, projections, processManager, renewer, locks, embedded, logger, credentials, metrics);
  }

  /** Compares the real resources with the events (see application/reconcile). */
  async reconcile(fix: boolean, actor: string): Promise<ReconcileReport> {
    const now = new Date().toISOString();
    return reconcile(
      {
        store: this.store, databases: this.databases, dns: this.dns, certificates: this.certificates,
        registry: this.registry, baseDomain: this.config.baseDomain, credentials: this.credentials,
      },
      { fix, metadata: { actor, correlationId: `reconcile-${now}`, now } },
    );
  }

  private async purgeArchives(): Promise<void> {
    if (this.config.archiveRetentionDays <= 0) return;
    const removed = await this.archives.purgeExpired(new Date()).catch((error) => {
      this.logger.warn(`archive retention: ${(error as Error).message}`);
      return 0;
    });
    if (removed > 0) this.logger.log(`archive retention: removed ${removed} archive(s) older than ${this.config.archiveRetentionDays} days`);
  }

  private startPeriodicReconcile(): void {
    void this.purgeArchives();
    const seconds = this.config.reconcileIntervalSeconds;
    if (seconds <= 0) return;
    this.reconcileTimer = setInterval(() => {
      void this.purgeArchives();
      this.reconcile(false, 'reconciler')
        .then((report) => {
          if (report.findings.length === 0) return;
          for (const f of report.findings) {
            const school = f.schoolId ? ` (school ${f.schoolId})` : '';
            const line = `reconcile: ${f.kind} ${f.resource} ${f.name}${school}: ${f.detail}`;
            this.logger.warn(line, { schoolId: f.schoolId });
          }
          this.logger.warn(`reconcile: ${report.findings.length} finding(s); run \`npm run scs -- reconcile --fix\` to remove orphans`);
        })
        .catch((error) => this.logger.warn(`reconcile failed: ${(error as Error).message}`));
    }, seconds * 1000);
    this.reconcileTimer.unref();
  }

  get embeddedDatabase(): boolean {
    return this.embedded !== undefined;
  }

  async start(): Promise<void> {
    // New school databases are cloned from this template; it is brought to the current schema first.
    await this.databases.ensureTemplate();
    await this.projections.start();
    await this.processManager.start();
    this.startPeriodicReconcile();
    if (this.config.metricsPort !== undefined) {
      const port = await this.metrics.listen(this.config.metricsPort, this.config.host);
      this.logger.log(`metrics on http://localhost:${port}/metrics`);
    }
    if (this.config.renewalCheckSeconds > 0) {
      this.renewalTimer = setInterval(() => {
        this.renewer.sweep().catch((error) => this.logger.warn(`certificate renewal sweep failed: ${(error as Error).message}`));
      }, this.config.renewalCheckSeconds * 1000);
      this.renewalTimer.unref();
    }
  }

  reporting(): Reporting {
    return { dataSource: this.dataSource, store: this.store, stuckAfterSeconds: this.config.stuckAfterSeconds };
  }

  readiness(): Readiness {
    return {
      check: async () => {
        const probe = async (fn: () => Promise<unknown>) => {
          try {
            await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000))]);
            return { ok: true };
          } catch (error) {
            return { ok: false, error: (error as Error).message };
          }
        };
        const [database, eventStore] = await Promise.all([
          probe(() => this.dataSource.query('SELECT 1')),
          probe(() => this.store.ping()),
        ]);
        return { database, eventStore };
      },
    };
  }

  async close(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.renewalTimer) clearInterval(this.renewalTimer);
    await this.metrics.close();
    await this.processManager.stop().catch((e) => this.logger.warn(`stopping the process manager: ${(e as Error).message}`));
    await this.projections.stop().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    await this.databases.close().catch(() => undefined);
    await this.locks.close().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.embedded?.stop().catch(() => undefined);
  }
}
