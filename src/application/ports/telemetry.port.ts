import type { ActionName } from '../../domain/school/steps.js';

/** How one run of a step or a compensation ended. */
export interface ActionOutcome {
  action: ActionName;
  kind: 'step' | 'compensation';
  outcome: 'succeeded' | 'failed';
  /** A failure that will be tried again (not permanent, attempts left) counts as a retry too. */
  retried: boolean;
  seconds: number;
}

/**
 * What the application tells operators about its work (adapter: `infrastructure/metrics/prometheus`).
 * Calls never fail and never wait: telemetry must not change what the service does.
 */
export interface Telemetry {
  actionFinished(outcome: ActionOutcome): void;
  /** A school reached `active` (seconds since its `SchoolRequested`) or another final status. */
  schoolSettled(status: string, seconds: number): void;
  /** One append to the event store, timed per attempt. */
  appended(outcome: 'succeeded' | 'conflict' | 'unavailable' | 'failed', seconds: number): void;
}

export const noTelemetry: Telemetry = {
  actionFinished: () => undefined,
  schoolSettled: () => undefined,
  appended: () => undefined,
};
