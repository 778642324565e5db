import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { SpanAttributes, SpanHandle, Tracing } from '../../ports/tracing.port.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a stored `traceparent` names, as a remote parent; the current context when it is malformed. */
export function contextOf(traceparent: string | undefined): Context {
  const parts = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!parts || parts[1] === 'ff') return context.active();
  const spanContext = { traceId: parts[2]!, spanId: parts[3]!, traceFlags: parseInt(parts[4]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : context.active();
}

/** The current span as a W3C `traceparent`, or undefined outside a valid span (tracing off). */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

function handle(span: Span): SpanHandle {
  return {
    set: (attributes: SpanAttributes) => void span.setAttributes(attributes),
    fail: (message: string) => span.setStatus({ code: SpanStatusCode.ERROR, message }),
  };
}

/**
 * The `Tracing` port on the OpenTelemetry API: whatever SDK `start-tracing.ts` registered exports the
 * spans. The work runs in the span's context, so the instrumented pg and http clients make their spans
 * its children.
 */
export class OtelTracing implements Tracing {
  private readonly tracer = trace.getTracer('scs');

  annotate(attributes: SpanAttributes): void {
    trace.getActiveSpan()?.setAttributes(attributes);
  }

  inSpan<T>(
    name: string,
    options: { traceparent?: string; attributes?: SpanAttributes },
    work: (span: SpanHandle) => Promise<T>,
  ): Promise<T> {
    const parent = options.traceparent ? contextOf(options.traceparent) : context.active();
    return this.tracer.startActiveSpan(name, { attributes: options.attributes }, parent, async (span) => {
      try {
        return await work(handle(span));
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    });
  }
}
