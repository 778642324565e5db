import { StepError } from '../../../ports/step-error.js';
import type { AcmeTrace } from './acme-trace.js';

const PERMANENT = new Set([
  'unauthorized',
  'caa',
  'rejectedIdentifier',
  'malformed',
  'unsupportedIdentifier',
  'invalidContact',
]);

/** ACME problem types decide; what has none (connection errors, timeouts, 5xx) is worth retrying. */
export function classify(error: unknown, trace: AcmeTrace): StepError {
  if (error instanceof StepError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // The problem behind this error is the one whose detail acme-client copied into the message.
  const problem = [...trace.problems].reverse().find((p) => p.detail === message);
  if (problem?.type === 'rateLimited') {
    const after = problem.retryAfter ? `; retry after ${problem.retryAfter}` : '';
    return StepError.transient(`ACME rate limit: ${problem.detail}${after}`, error);
  }
  if (problem && PERMANENT.has(problem.type))
    return StepError.permanent(`ACME ${problem.type}: ${problem.detail}`, error);
  const code = (error as { code?: string }).code;
  return StepError.transient(`ACME ${problem?.type ?? code ?? 'error'}: ${message}`, error);
}
