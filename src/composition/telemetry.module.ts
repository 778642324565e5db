import { Global, Module } from '@nestjs/common';
import { EVENT_STREAM_TELEMETRY } from '../ports/telemetry.port.js';
import { noTracing, TRACING } from '../ports/tracing.port.js';
import type { Config } from '../config/config.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { OtelTracing } from '../adapters/tracing/otel-tracing.js';
import { CONFIG } from './tokens.js';

/**
 * Prometheus metrics (the `Telemetry` and `EventStreamTelemetry` ports, and GET /metrics) and traces (the
 * `Tracing` port: OpenTelemetry when the configuration turns it on, main.ts having started the SDK; nothing
 * otherwise).
 */
@Global()
@Module({
  providers: [
    { provide: PrometheusMetrics, useFactory: () => new PrometheusMetrics() },
    {
      provide: EVENT_STREAM_TELEMETRY,
      inject: [PrometheusMetrics],
      useFactory: (metrics: PrometheusMetrics) => metrics.eventStreams,
    },
    {
      provide: TRACING,
      inject: [CONFIG],
      useFactory: (config: Config) => (config.tracing ? new OtelTracing() : noTracing),
    },
  ],
  exports: [PrometheusMetrics, EVENT_STREAM_TELEMETRY, TRACING],
})
export class TelemetryModule {}
