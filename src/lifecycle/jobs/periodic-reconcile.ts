import { Inject, Injectable } from '@nestjs/common';
import { describeError } from '../../shared/describe-error.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import type { AppLogger } from '../../ports/logger.port.js';
import type { ReconcileReport } from '../../reconcile/reconcile.js';
import type { Config } from '../../config/config.js';
import { APP_LOGGER, CONFIG } from '../../composition/tokens.js';
import { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics.js';
import { Reconciliation } from '../../reconcile/reconciliation.js';
import { ArchivePurge } from './archive-purge.js';
import type { BackgroundJob } from './background-job.js';

/**
 * SCS_RECONCILE_INTERVAL_SECONDS: reports (never fixes) what differs from the events, and purges expired
 * archives, at start and then every interval.
 */
@Injectable()
export class PeriodicReconcile implements BackgroundJob {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(Reconciliation) private readonly reconciliation: Reconciliation,
    @Inject(ArchivePurge) private readonly purge: ArchivePurge,
    @Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  start(): void {
    void this.purge.run();
    const seconds = this.config.reconcileIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => {
      void this.purge.run();
      this.reconciliation
        .run(false, 'reconciler')
        .then((report) => this.report(report))
        .catch((error) => this.logger.warn(`reconcile failed: ${describeError(error)}`));
    }, seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private report(report: ReconcileReport): void {
    this.metrics.reconciled(report.findings, this.clock.now());
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
  }
}
