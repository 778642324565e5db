import { StepError } from '../../ports/step-error.js';

interface SdkError {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** Throttling, 5xx and network errors are worth retrying; the SDK marks some itself. */
function isRetryable(error: unknown): boolean {
  const e = error as SdkError;
  if (THROTTLING.has(e?.name ?? '')) return true;
  if (e?.$retryable) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return !e?.$metadata; // no HTTP answer at all: a network error
}

/**
 * Runs an AWS call, retrying throttling and 5xx with exponential backoff and full jitter (the SDK's
 * own retries are turned off on our clients so that the two do not multiply); other errors go to
 * `permanent`, which names what failed.
 */
export async function withAwsRetry<T>(
  what: string,
  call: () => Promise<T>,
  options: { attempts: number; baseDelayMs: number; sleep: (ms: number) => Promise<void>; random?: () => number },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const e = error as SdkError;
      if (!isRetryable(error))
        throw StepError.permanent(`${what}: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, error);
      if (attempt >= options.attempts)
        throw StepError.transient(
          `${what}: still ${e?.name ?? 'failing'} after ${attempt} attempts: ${e?.message ?? String(error)}`,
          error,
        );
      await options.sleep(Math.round((options.random ?? Math.random)() * options.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
