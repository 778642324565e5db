export const TRACING = Symbol('Tracing');

export type SpanAttributes = Record<string, string | number | boolean>;

/** The span a piece of work runs in, as far as the application touches it. */
export interface SpanHandle {
  /** Adds attributes (an outcome known only at the end, say). */
  set(attributes: SpanAttributes): void;
  /** Marks the span failed without throwing: a failure the application records and carries on from. */
  fail(message: string): void;
}

/**
 * Traces for operators (adapter: `adapters/tracing`, OpenTelemetry). The work runs inside the span,
 * so what it calls through instrumented clients (PostgreSQL, HTTP) becomes the span's children. Like
 * `Telemetry`, tracing never changes what the work does: `inSpan` returns or throws what `work` does.
 */
export interface Tracing {
  /**
   * Runs `work` as the span `name`, a child of the span `traceparent` names (a W3C Trace Context header,
   * as the school's events keep it, so work resumed after a restart joins its request's trace), or of
   * the current span when there is none.
   */
  inSpan<T>(
    name: string,
    options: { traceparent?: string; attributes?: SpanAttributes },
    work: (span: SpanHandle) => Promise<T>,
  ): Promise<T>;
  /**
   * Adds attributes to the span the caller runs in now (a command handler: its command's span), for what
   * only the work learns (the school's slug once its stream is read); nothing outside a span.
   */
  annotate(attributes: SpanAttributes): void;
}

const noSpan: SpanHandle = { set: () => undefined, fail: () => undefined };

export const noTracing: Tracing = { inSpan: (_name, _options, work) => work(noSpan), annotate: () => undefined };
