import { Inject, Injectable } from '@nestjs/common';
import { describeError } from '../../shared/describe-error.js';
import type { AppLogger } from '../../ports/logger.port.js';
import { runRollout, type RolloutProgress, type RolloutReport } from '../../school/schema-rollout/schema-rollout.js';
import type { Config } from '../../config/config.js';
import { APP_LOGGER, CONFIG } from '../../composition/tokens.js';
import { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics.js';
import { SchemaRollouts } from '../../school/schema-rollout/schema-rollouts.js';
import type { BackgroundJob } from './background-job.js';

/** SCS_AUTO_MIGRATE_SCHOOLS: the rollout runs in the background; a stopping service starts no new school. */
@Injectable()
export class AutoSchemaRollout implements BackgroundJob {
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SchemaRollouts) private readonly rollouts: SchemaRollouts,
    @Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  start(): void {
    if (!this.config.schemaRollout.autoMigrate) return;
    const options = {
      ...this.rollouts.options('schema-rollout'),
      shouldStop: () => this.stopping,
      onProgress: (progress: RolloutProgress) => this.metrics.rolloutProgress(progress, true),
    };
    this.metrics.rolloutRunning(true);
    this.running = runRollout(this.rollouts.deps, options).then(
      (report) => this.finished(report),
      (error) => {
        this.metrics.rolloutRunning(false);
        this.logger.warn(`schema rollout failed: ${describeError(error)}`);
      },
    );
  }

  /** Lets the schools under way finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private finished({ target, upgraded, failed, total }: RolloutReport): void {
    this.metrics.rolloutProgress({ total, upgraded, failed, left: total - upgraded - failed }, false);
    const line = `schema rollout to ${target}: ${upgraded} upgraded, ${failed} failed of ${total}`;
    if (failed > 0) this.logger.warn(`${line}; see GET /schools and \`npm run scs -- schools migrate --dry-run\``);
    else this.logger.log(line);
  }
}
