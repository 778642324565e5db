import type { ActionName } from '../domain/school/steps.js';

/** How one run of a step, a compensation or a lifecycle action ended. */
export interface ActionOutcome {
  action: ActionName;
  kind: 'step' | 'compensation' | 'lifecycle';
  outcome: 'succeeded' | 'failed';
  /** A failure that will be tried again (not permanent, attempts left) counts as a retry too. */
  retried: boolean;
  seconds: number;
}

/**
 * What the application tells operators about its work (adapter: `adapters/metrics/prometheus`).
 * Calls never fail and never wait: telemetry must not change what the service does.
 */
export interface Telemetry {
  actionFinished(outcome: ActionOutcome): void;
  /** A school reached `active` (seconds since its `SchoolRequested`) or another final status. */
  schoolSettled(status: string, seconds: number): void;
  /** A restore ended: `restored` (active again) or `failed` (deleted again), seconds since it was asked. */
  restoreSettled(outcome: 'restored' | 'failed', seconds: number): void;
  /** One append to the event store, timed per attempt. */
  appended(outcome: 'succeeded' | 'conflict' | 'unavailable' | 'failed', seconds: number): void;
  /**
   * A subscriber (`process-manager`, `projection:<name>`) handled an event `seconds` after it was recorded
   * (the store's time): the delay from commit to reaction. Events recorded before the subscriber started
   * (a catch-up after a restart) are not reported: they measure the downtime, not the delivery.
   */
  eventHandled(subscriber: string, seconds: number): void;
}

export const noTelemetry: Telemetry = {
  actionFinished: () => undefined,
  schoolSettled: () => undefined,
  restoreSettled: () => undefined,
  appended: () => undefined,
  eventHandled: () => undefined,
};

/**
 * Reports each handled event's delay to `telemetry` for `subscriber`, skipping those recorded before
 * `since` (the subscriber's start). Negative delays (the store's clock ahead of ours) count as 0.
 */
export function reportHandled(
  telemetry: Telemetry,
  subscriber: string,
  since: number,
  now: number,
  events: ReadonlyArray<{ recordedAt: Date }>,
): void {
  for (const event of events) {
    const recorded = event.recordedAt.getTime();
    if (recorded >= since) telemetry.eventHandled(subscriber, Math.max(0, now - recorded) / 1000);
  }
}

/** The live event streams (GET /events/stream) of this process: opened, closed, one dropped for not reading. */
export interface EventStreamTelemetry {
  opened(): void;
  closed(): void;
  droppedOne(): void;
}

export const EVENT_STREAM_TELEMETRY = Symbol('EventStreamTelemetry');
