import type { EnvReader } from './env-reader.js';

/** Logs, metrics and traces. */
export interface ObservabilitySettings {
  /** pino's level; JSON lines except in development, where they are pretty-printed. */
  logLevel: string;
  /** SCS_METRICS_PORT: /metrics on a port of its own instead of the API's. */
  metricsPort?: number;
  /**
   * OpenTelemetry traces, on when an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter (OTEL_TRACES_EXPORTER) is named, unless
   * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The SDK reads the rest of its OTEL_* variables itself.
   */
  tracing?: { serviceName: string };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseObservability(read: EnvReader): ObservabilitySettings {
  const logLevel = (read.env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    read.problem(`LOG_LEVEL=${read.env.LOG_LEVEL} must be one of: ${LOG_LEVELS.join(', ')}`);
  return {
    logLevel,
    ...(read.env.SCS_METRICS_PORT ? { metricsPort: read.int('SCS_METRICS_PORT', 0, 0, 65535) } : {}),
    tracing: tracingOf(read.env),
  };
}

function tracingOf(env: NodeJS.ProcessEnv): ObservabilitySettings['tracing'] {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').toLowerCase();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const serviceName = env.OTEL_SERVICE_NAME || 'scs';
  const off = (env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true' || exporters.split(',').includes('none');
  return off || (!endpoint && !exporters) ? undefined : { serviceName };
}
