import type { IncomingMessage } from 'node:http';
import { register } from 'node:module';
import type { Span } from '@opentelemetry/api';

/**
 * The modules the instrumentations patch. SCS is ES modules, so they are patched through
 * import-in-the-middle's loader (registered here, before the service's modules are imported), which
 * intercepts only these; their CommonJS insides (pg-pool, the router) go through require-in-the-middle.
 */
const HOOKED = ['express', 'router', 'pg', 'pg-pool', 'http', 'https', 'node:http', 'node:https'];
/** Load balancers and Prometheus call these all the time: no trace for them. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/** `PASSWORD '…'` in a statement (roles are created and rotated with their password as a literal). */
const PASSWORD_LITERAL = /(\bPASSWORD\s+)(E?'(?:[^'\\]|\\.|'')*')/gi;

/** A statement as a span may show it: with every password literal replaced by `'***'`. */
export function redactedStatement(text: string): string {
  return text.replace(PASSWORD_LITERAL, "$1'***'");
}

const pathOf = (req: IncomingMessage) => (req.url ?? '').split('?')[0]!;

export interface StartedTracing {
  /** Exports the spans still buffered and stops; called on shutdown, after the service has drained. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry's Node SDK for traces only (metrics stay Prometheus's, logs stay pino's), with the
 * http, express, pg and AWS SDK instrumentations (the AWS SDK is CommonJS: patched through
 * require-in-the-middle); the exporter, its endpoint and protocol, the sampler and the
 * resource come from the standard OTEL_* variables. Must run before the service's modules are imported
 * (main.ts), so that the instrumented modules are loaded through the hooks.
 */
export async function startTracing(serviceName: string): Promise<StartedTracing> {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: HOOKED } });
  const [sdkNode, http, express, pgTracing, aws] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-express'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-aws-sdk'),
  ]);
  const { HttpInstrumentation } = http;
  const { ExpressInstrumentation, ExpressLayerType } = express;
  const { PgInstrumentation } = pgTracing;
  const sdk = new sdkNode.NodeSDK({
    serviceName,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => PROBES.has(pathOf(req)),
        // Outgoing calls (AWS, ACME, …) are traced inside a request or a step, not on their own.
        requireParentforOutgoingSpans: true,
      }),
      // One span per route handler, none per middleware (a request passes a dozen of them).
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new PgInstrumentation({
        // The subscriptions and projections read all the time: only statements inside a request or a step.
        requireParentSpan: true,
        ignoreConnectSpans: true, // a connection handed out by a pool is not a call; its statements are
        requestHook: (span: Span, info: { query: { text: string } }) => {
          if (/password/i.test(info.query.text)) span.setAttribute('db.query.text', redactedStatement(info.query.text));
        },
      }),
      // One span per AWS call (`Route 53.ChangeResourceRecordSets`, `SESv2.SendEmail`, …) with its service,
      // operation, region and request id; the HTTP request under it is not traced again.
      new aws.AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
