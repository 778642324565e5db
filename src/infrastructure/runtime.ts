import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { FaultInjector } from '../application/process-manager/faults.js';
import { ProcessManager } from '../application/process-manager/process-manager.js';
import { reconcile, type ReconcileReport } from '../application/reconcile/reconcile.js';
import {
  runRollout,
  type RolloutDeps,
  type RolloutOptions,
  type RolloutProgress,
} from '../application/schema-rollout/schema-rollout.js';
import { CertificateRenewer } from '../application/renewal/certificate-renewer.js';
import { CERTIFICATE_PROVIDER, type CertificateProvider } from '../application/ports/certificates.port.js';
import { CREDENTIALS_DELIVERY, type CredentialsDelivery } from '../application/ports/credentials-delivery.port.js';
import { CERTIFICATE_DELIVERY, type CertificateDelivery } from '../application/ports/certificate-delivery.port.js';
import { DATABASE_ARCHIVES, type DatabaseArchives } from '../application/ports/database-archives.port.js';
import { DNS_PROVIDER, type DnsProvider } from '../application/ports/dns.port.js';
import { EVENT_STORE, type EventStore } from '../application/ports/event-store.port.js';
import { LOCKS } from '../application/ports/locks.port.js';
import type { AppLogger } from '../application/ports/logger.port.js';
import { MAILER, type Mailer } from '../application/ports/mailer.port.js';
import { SCHOOL_REGISTRY } from '../application/ports/school-registry.port.js';
import type { Config } from '../config/config.js';
import { ownerIdOf } from './postgres/central-database.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { SchoolQueries } from '../projections/school-read-model/school-queries.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, READ_SIDE, type CentralDatabase } from './composition/tokens.js';
import type { Readiness, Reporting } from './http/tokens.js';
import type { AdvisoryLocks } from './locks/postgres/advisory-locks.js';
import { PrometheusMetrics } from './metrics/prometheus-metrics.js';
import { metricSources } from './metrics/metric-sources.js';
import type { TypeOrmSchoolRegistry } from './registry/typeorm/typeorm-school-registry.js';
import { SchoolCredentials } from './secrets/credentials.js';
import { PostgresTenantServers } from './tenant-databases/postgres/postgres-tenant-servers.js';
import { CHECKPOINT_STORE, type CheckpointStore } from '../application/ports/checkpoint-store.port.js';
import { describeError } from '../application/describe-error.js';
import type { WebhookParts } from '../application/webhooks/manage-webhooks.js';
import { WebhookDispatcher } from '../application/webhooks/webhook-dispatcher.js';
import { WEBHOOK_PARTS } from './composition/webhooks.module.js';

/**
 * The lifecycle of what the composition modules (infrastructure/composition) built: start the background
 * work after the HTTP app is ready, drain it and close every connection in order on shutdown, the embedded
 * PostgreSQL last. Also the CLI's handle on the adapters.
 */
@Injectable()
export class Runtime implements OnApplicationShutdown {
  private reconcileTimer?: NodeJS.Timeout;
  private renewalTimer?: NodeJS.Timeout;
  private autoRollout?: Promise<void>;
  private stopping = false;
  private closed?: Promise<void>;
  private context?: { close(): Promise<void> };
  readonly databaseUrl: string;
  readonly pool: CentralDatabase['pool'];

  constructor(
    @Inject(CONFIG) readonly config: Config,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(CENTRAL_DATABASE) private readonly central: CentralDatabase,
    @Inject(DataSource) readonly dataSource: DataSource,
    /** The central database's read side: the projections, the reports, the read model's queries. */
    @Inject(READ_SIDE) readonly readSide: pg.Pool,
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) checkpoints: CheckpointStore,
    @Inject(PostgresTenantServers) readonly servers: PostgresTenantServers,
    @Inject(DNS_PROVIDER) readonly dns: DnsProvider,
    @Inject(CERTIFICATE_PROVIDER) readonly certificates: CertificateProvider,
    @Inject(CERTIFICATE_DELIVERY) readonly delivery: CertificateDelivery,
    @Inject(CREDENTIALS_DELIVERY) readonly credentialsDelivery: CredentialsDelivery,
    @Inject(MAILER) readonly mailer: Mailer,
    @Inject(SCHOOL_REGISTRY) readonly registry: TypeOrmSchoolRegistry,
    @Inject(DATABASE_ARCHIVES) readonly archives: DatabaseArchives,
    @Inject(SchoolQueries) readonly queries: SchoolQueries,
    @Inject(ProjectionRunner) readonly projections: ProjectionRunner,
    @Inject(ProcessManager) readonly processManager: ProcessManager,
    @Inject(CertificateRenewer) readonly renewer: CertificateRenewer,
    @Inject(LOCKS) private readonly locks: AdvisoryLocks,
    @Inject(SchoolCredentials) readonly credentials: SchoolCredentials,
    @Inject(PrometheusMetrics) readonly metrics: PrometheusMetrics,
    @Inject(FaultInjector) private readonly faults: FaultInjector,
    @Inject(WebhookDispatcher) private readonly webhookDispatcher: WebhookDispatcher,
    /** The webhook endpoints' use cases' parts (the routes and the CLI). */
    @Inject(WEBHOOK_PARTS) readonly webhooks: WebhookParts,
  ) {
    this.databaseUrl = central.url;
    this.pool = central.pool;
    const tenantServers = servers;
    metrics.observe(metricSources({ pool: central.pool, store, checkpoints, processManager, tenantServers }));
  }

  /** Compares the real resources with the events (see application/reconcile). */
  async reconcile(fix: boolean, actor: string, adopt = false): Promise<ReconcileReport> {
    const now = new Date().toISOString();
    return reconcile(
      {
        store: this.store,
        servers: this.servers,
        dns: this.dns,
        certificates: this.certificates,
        delivery: this.delivery,
        registry: this.registry,
        credentialsDelivery: { delivery: this.credentialsDelivery, owner: ownerIdOf(this.config, this.databaseUrl) },
        baseDomain: this.config.baseDomain,
        credentials: this.credentials,
      },
      { fix, adopt, metadata: { actor, correlationId: `reconcile-${now}`, now } },
    );
  }

  /** What a school schema rollout works with (application/schema-rollout). */
  rolloutDeps(): RolloutDeps {
    return { store: this.store, servers: this.servers, faults: this.faults, logger: this.logger };
  }

  /** The rollout options the configuration gives (SCS_MIGRATION_*, SCS_RETRY_*). */
  rolloutOptions(actor: string): RolloutOptions {
    const { concurrency, lockTimeoutMs, statementTimeoutMs } = this.config.schemaRollout;
    const correlationId = `schema-rollout-${new Date().toISOString()}`;
    const timeouts = { lockTimeoutMs, statementTimeoutMs };
    return { concurrency, timeouts, policy: this.config.retry, actor, correlationId };
  }

  /** SCS_AUTO_MIGRATE_SCHOOLS: the rollout runs in the background; a stopping service starts no new school. */
  private startAutoRollout(): void {
    const options = {
      ...this.rolloutOptions('schema-rollout'),
      shouldStop: () => this.stopping,
      onProgress: (progress: RolloutProgress) => this.metrics.rolloutProgress(progress, true),
    };
    this.metrics.rolloutRunning(true);
    this.autoRollout = runRollout(this.rolloutDeps(), options).then(
      (report) => {
        const { target, upgraded, failed, total } = report;
        this.metrics.rolloutProgress({ total, upgraded, failed, left: total - upgraded - failed }, false);
        const line = `schema rollout to ${target}: ${upgraded} upgraded, ${failed} failed of ${total}`;
        if (failed > 0) this.logger.warn(`${line}; see GET /schools and \`npm run scs -- schools migrate --dry-run\``);
        else this.logger.log(line);
      },
      (error) => {
        this.metrics.rolloutRunning(false);
        this.logger.warn(`schema rollout failed: ${describeError(error)}`);
      },
    );
  }

  private async purgeArchives(): Promise<void> {
    if (this.config.archiveRetentionDays <= 0) return;
    const removed = await this.archives.purgeExpired(new Date()).catch((error) => {
      this.logger.warn(`archive retention: ${describeError(error)}`);
      return 0;
    });
    if (removed > 0)
      this.logger.log(
        `archive retention: removed ${removed} archive(s) older than ${this.config.archiveRetentionDays} days`,
      );
  }

  private startPeriodicReconcile(): void {
    void this.purgeArchives();
    const seconds = this.config.reconcileIntervalSeconds;
    if (seconds <= 0) return;
    this.reconcileTimer = setInterval(() => {
      void this.purgeArchives();
      this.reconcile(false, 'reconciler')
        .then((report) => {
          this.metrics.reconciled(report.findings, new Date());
          // Foreign records are other teams' business: counted, not warned about every interval.
          const foreign = report.findings.filter((f) => f.kind === 'foreign').length;
          const findings = report.findings.filter((f) => f.kind !== 'foreign');
          if (foreign > 0) this.logger.log(`reconcile: ${foreign} foreign record(s) in the zone, left alone`);
          if (findings.length === 0) return;
          for (const f of findings) {
            const school = f.schoolId ? ` (school ${f.schoolId})` : '';
            const line = `reconcile: ${f.kind} ${f.resource} ${f.name}${school}: ${f.detail}`;
            this.logger.warn(line, { schoolId: f.schoolId });
          }
          this.logger.warn(
            `reconcile: ${findings.length} finding(s); run \`npm run scs -- reconcile --fix\` to remove orphans`,
          );
        })
        .catch((error) => this.logger.warn(`reconcile failed: ${describeError(error)}`));
    }, seconds * 1000);
    this.reconcileTimer.unref();
  }

  get embeddedDatabase(): boolean {
    return this.central.embedded !== undefined;
  }

  async start(): Promise<void> {
    // New school databases are cloned from a template on each server, brought to the current schema first.
    await this.servers.ensureTemplates();
    this.servers.keepSpares();
    await this.projections.start();
    await this.processManager.start();
    this.webhookDispatcher.start();
    if (this.config.schemaRollout.autoMigrate) this.startAutoRollout();
    this.startPeriodicReconcile();
    if (this.config.metricsPort !== undefined) {
      const port = await this.metrics.listen(this.config.metricsPort, this.config.host);
      this.logger.log(`metrics on http://localhost:${port}/metrics`);
    }
    if (this.config.renewalCheckSeconds > 0) {
      this.renewalTimer = setInterval(() => {
        this.renewer
          .sweep()
          .catch((error) => this.logger.warn(`certificate renewal sweep failed: ${describeError(error)}`));
      }, this.config.renewalCheckSeconds * 1000);
      this.renewalTimer.unref();
    }
  }

  /** What the reporting, projection and audit routes read. */
  reporting(): Reporting {
    return { readSide: this.readSide, store: this.store, stuckAfterSeconds: this.config.stuckAfterSeconds };
  }

  readiness(): Readiness {
    return {
      check: async () => {
        const probe = async (fn: () => Promise<unknown>) => {
          try {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timed out after 2 s')), 2000);
            });
            await Promise.race([fn(), timeout]).finally(() => clearTimeout(timer));
            return { ok: true };
          } catch (error) {
            return { ok: false, error: describeError(error) };
          }
        };
        const [database, eventStore] = await Promise.all([
          probe(() => this.readSide.query('SELECT 1')),
          probe(() => this.store.ping()),
        ]);
        return { database, eventStore };
      },
      servers: () => {
        // Bounded like the checks: a central database that does not answer must not hold /ready.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), 3000);
        });
        return Promise.race([this.servers.status(), timeout]).finally(() => clearTimeout(timer));
      },
    };
  }

  /** Nest calls it when the application (or the CLI's context) closes, after the HTTP server stopped. */
  onApplicationShutdown(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  /**
   * Drains and closes everything in order, the embedded PostgreSQL last, then the Nest context that built
   * it when there is one (the CLI's); a second call waits for the first.
   */
  async close(): Promise<void> {
    await this.onApplicationShutdown();
    const context = this.context;
    this.context = undefined;
    await context?.close();
  }

  /** The application context this runtime was made in (createRuntime): `close()` closes it too. */
  ownedBy(context: { close(): Promise<void> }): this {
    this.context = context;
    return this;
  }

  private async shutdown(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.renewalTimer) clearInterval(this.renewalTimer);
    this.stopping = true;
    await this.autoRollout;
    await this.metrics.close();
    await this.processManager
      .stop()
      .catch((e) => this.logger.warn(`stopping the process manager: ${describeError(e)}`));
    // A reload command waiting for its batch runs now: the files it was for are in place.
    await this.delivery.close?.().catch((e) => this.logger.warn(`certificate reload at shutdown: ${describeError(e)}`));
    await this.projections.stop().catch(() => undefined);
    await this.webhookDispatcher.stop().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    await this.servers.close().catch(() => undefined);
    await this.locks.close().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
    await this.readSide.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.central.embedded?.stop().catch(() => undefined);
  }
}
