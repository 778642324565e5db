import { Inject, Injectable } from '@nestjs/common';
import type { AppLogger } from '../../ports/logger.port.js';
import type { Config } from '../../config/config.js';
import { APP_LOGGER, CONFIG } from '../../composition/tokens.js';
import { PrometheusMetrics } from '../../adapters/metrics/prometheus-metrics.js';
import type { BackgroundJob } from './background-job.js';

/** SCS_METRICS_PORT: /metrics on a port of its own, beside the API. */
@Injectable()
export class MetricsServer implements BackgroundJob {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async start(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    const port = await this.metrics.listen(this.config.metricsPort, this.config.host);
    this.logger.log(`metrics on http://localhost:${port}/metrics`);
  }

  stop(): Promise<void> {
    return this.metrics.close();
  }
}
