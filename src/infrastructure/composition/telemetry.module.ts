import { Global, Module } from '@nestjs/common';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';

/** Prometheus metrics: the application's `Telemetry` port and GET /metrics. */
@Global()
@Module({
  providers: [{ provide: PrometheusMetrics, useFactory: () => new PrometheusMetrics() }],
  exports: [PrometheusMetrics],
})
export class TelemetryModule {}
