import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '../shared/describe-error.js';
import { CERTIFICATE_DELIVERY, type CertificateDelivery } from '../ports/certificate-delivery.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { ProcessManager } from '../process-manager/process-manager.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { APP_LOGGER } from '../composition/tokens.js';
import { PostgresTenantServers } from '../adapters/tenant-databases/postgres/postgres-tenant-servers.js';
import { BackgroundJobs } from './background-jobs.js';
import { Connections } from './connections.js';

/**
 * The service's start and stop: `start()` begins the background work once the HTTP app is ready (the CLI
 * never starts it); stopping drains it and closes every connection in order, the embedded PostgreSQL last.
 */
@Injectable()
export class Lifecycle implements OnApplicationShutdown {
  private stopped?: Promise<void>;

  constructor(
    @Inject(PostgresTenantServers) private readonly servers: PostgresTenantServers,
    @Inject(ProjectionRunner) private readonly projections: ProjectionRunner,
    @Inject(ProcessManager) private readonly processManager: ProcessManager,
    @Inject(WebhookDispatcher) private readonly webhookDispatcher: WebhookDispatcher,
    @Inject(BackgroundJobs) private readonly jobs: BackgroundJobs,
    @Inject(CERTIFICATE_DELIVERY) private readonly delivery: CertificateDelivery,
    @Inject(Connections) private readonly connections: Connections,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async start(): Promise<void> {
    // New school databases are cloned from a template on each server, brought to the current schema first.
    await this.servers.ensureTemplates();
    this.servers.keepSpares();
    await this.projections.start();
    await this.processManager.start();
    this.webhookDispatcher.start();
    await this.jobs.start();
  }

  /** Drains and closes everything in order; a second call waits for the first. */
  stop(): Promise<void> {
    this.stopped ??= this.drainAndClose();
    return this.stopped;
  }

  /** Nest calls it when the application (or the CLI's context) closes, after the HTTP server stopped. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async drainAndClose(): Promise<void> {
    await this.jobs.stop();
    await this.processManager
      .stop()
      .catch((e) => this.logger.warn(`stopping the process manager: ${describeError(e)}`));
    // A reload command waiting for its batch runs now: the files it was for are in place.
    await this.delivery.close?.().catch((e) => this.logger.warn(`certificate reload at shutdown: ${describeError(e)}`));
    await this.projections.stop().catch(() => undefined);
    await this.webhookDispatcher.stop().catch(() => undefined);
    await this.connections.close();
  }
}
