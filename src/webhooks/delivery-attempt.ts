import type { IntegrationEvent } from '../integration-events/integration-events.js';
import type { DeliveryAttempt, DeliveryOutcome, TransportResult } from '../ports/webhooks.port.js';
import { retryDelayMs } from '../process-manager/retry-policy.js';

export interface DeliveryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long one event is retried (from its first attempt) before the endpoint is disabled. */
  retryForMs: number;
}

/** What the endpoint's answer means: a 2xx delivers, a 410 says the endpoint is gone, anything else failed. */
export function outcomeOf(httpStatus: number | null): DeliveryOutcome {
  const ok = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
  return ok ? 'delivered' : httpStatus === 410 ? 'gone' : 'failed';
}

/** The delivery log's line for one attempt. */
export function attemptRecord(
  endpointId: string,
  { id, type, subject }: IntegrationEvent,
  attempt: number,
  result: TransportResult,
  attemptedAt: Date,
): DeliveryAttempt {
  return {
    endpointId,
    eventId: id,
    eventType: type,
    subject,
    attempt,
    outcome: outcomeOf(result.httpStatus),
    httpStatus: result.httpStatus,
    latencyMs: result.latencyMs,
    error: result.error,
    attemptedAt: attemptedAt.toISOString(),
  };
}

/** The last answer, for the reason an endpoint was disabled. */
export function describeAnswer(result: TransportResult): string {
  return result.httpStatus !== null ? `HTTP ${result.httpStatus}` : (result.error ?? 'no answer');
}

/** The wait before attempt `attempt + 1`, or undefined when that would fall outside the event's retry window. */
export function retryDelay(
  policy: DeliveryPolicy,
  attempt: number,
  firstAttempt: Date,
  nowMs: number,
): number | undefined {
  const delay = retryDelayMs({ ...policy, maxAttempts: Infinity }, attempt);
  return nowMs + delay - firstAttempt.getTime() > policy.retryForMs ? undefined : delay;
}
