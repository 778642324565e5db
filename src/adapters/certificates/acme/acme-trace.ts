import { AsyncLocalStorage } from 'node:async_hooks';
import acme from 'acme-client';

/** An RFC 8555 problem document as the server sent it, with the Retry-After that came along. */
interface AcmeProblem {
  /** Without the `urn:ietf:params:acme:error:` prefix: `rateLimited`, `unauthorized`, … */
  type: string;
  detail: string;
  retryAfter?: string;
}

/** What one ACME operation saw on the wire that acme-client does not hand back. */
export interface AcmeTrace {
  problems: AcmeProblem[];
  orderUrl?: string;
}

const PREFIX = 'urn:ietf:params:acme:error:';
const storage = new AsyncLocalStorage<AcmeTrace>();
let installed = false;

function problemOf(value: unknown, retryAfter?: string): AcmeProblem | undefined {
  const p = value as { type?: unknown; detail?: unknown } | undefined;
  if (typeof p?.type !== 'string' || !p.type.startsWith(PREFIX)) return undefined;
  return { type: p.type.slice(PREFIX.length), detail: typeof p.detail === 'string' ? p.detail : '', retryAfter };
}

/**
 * acme-client reduces a server's error to its `detail` text, and `auto()` returns only the PEM. Its
 * shared axios instance is where the rest is still visible, so one response interceptor records, per
 * operation (AsyncLocalStorage), the problem documents (the type decides transient or permanent) and
 * the order URL (the certificate's reference).
 */
function install(): void {
  if (installed) return;
  installed = true;
  acme.axios.interceptors.response.use((response) => {
    const trace = storage.getStore();
    const data = response.data as Record<string, unknown> | undefined;
    if (trace && data && typeof data === 'object') {
      const retryAfter = response.headers?.['retry-after'] as string | undefined;
      const challenges = Array.isArray(data.challenges) ? (data.challenges as Array<{ error?: unknown }>) : [];
      for (const candidate of [data, data.error, ...challenges.map((c) => c.error)]) {
        const problem = problemOf(candidate, retryAfter);
        if (problem) trace.problems.push(problem);
      }
      // The first order object seen is newOrder's answer, whose Location is the order URL.
      if (!trace.orderUrl && typeof data.finalize === 'string')
        trace.orderUrl = (response.headers?.location as string | undefined) ?? response.config.url;
    }
    return response;
  });
  // The process manager owns retries: acme-client would otherwise sleep through a rate limit's
  // Retry-After (hours at Let's Encrypt) inside one step. Requests get a deadline for the same reason.
  (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
  acme.axios.defaults.timeout = 30_000;
}

/** Runs `fn` with `trace` collecting what its ACME requests saw (read it also when `fn` throws). */
export function traced<T>(trace: AcmeTrace, fn: () => Promise<T>): Promise<T> {
  install();
  return storage.run(trace, fn);
}
