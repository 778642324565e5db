import { Inject, Injectable } from '@nestjs/common';
import { AutoSchemaRollout } from './jobs/auto-schema-rollout.js';
import type { BackgroundJob } from './jobs/background-job.js';
import { CertificateRenewalTimer } from './jobs/certificate-renewal-timer.js';
import { MetricsServer } from './jobs/metrics-server.js';
import { PeriodicReconcile } from './jobs/periodic-reconcile.js';

/**
 * The jobs beside the process manager and the projections. They stop timers first, so that nothing new
 * begins while the rollout's schools under way finish, and the metrics server last.
 */
@Injectable()
export class BackgroundJobs {
  private readonly startOrder: BackgroundJob[];
  private readonly stopOrder: BackgroundJob[];

  constructor(
    @Inject(AutoSchemaRollout) rollout: AutoSchemaRollout,
    @Inject(PeriodicReconcile) reconcile: PeriodicReconcile,
    @Inject(MetricsServer) metricsServer: MetricsServer,
    @Inject(CertificateRenewalTimer) renewal: CertificateRenewalTimer,
  ) {
    this.startOrder = [rollout, reconcile, metricsServer, renewal];
    this.stopOrder = [reconcile, renewal, rollout, metricsServer];
  }

  async start(): Promise<void> {
    for (const job of this.startOrder) await job.start();
  }

  async stop(): Promise<void> {
    for (const job of this.stopOrder) await job.stop();
  }
}
