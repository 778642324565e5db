import { Global, Module } from '@nestjs/common';
import { noTracing, TRACING } from '../../application/ports/tracing.port.js';
import type { Config } from '../../config/config.js';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { OtelTracing } from '../tracing/otel-tracing.js';
import { CONFIG } from './tokens.js';

/**
 * Prometheus metrics (the application's `Telemetry` port and GET /metrics) and traces (the `Tracing` port:
 * OpenTelemetry when the configuration turns it on, main.ts having started the SDK; nothing otherwise).
 */
@Global()
@Module({
  providers: [
    { provide: PrometheusMetrics, useFactory: () => new PrometheusMetrics() },
    {
      provide: TRACING,
      inject: [CONFIG],
      useFactory: (config: Config) => (config.tracing ? new OtelTracing() : noTracing),
    },
  ],
  exports: [PrometheusMetrics, TRACING],
})
export class TelemetryModule {}
