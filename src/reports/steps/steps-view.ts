import type { ActionName } from '../../domain/school/steps.js';
import { kindOf, RECORDED_BY } from '../../domain/school/steps.js';
import { upcast } from '../../domain/school/upcast.js';
import type { ViewEvent } from '../../projections/view-event.js';

/** One run of a step, a compensation, a lifecycle action or a certificate renewal (a row of `report_step_runs`). */
export interface StepRunRow {
  school_id: string;
  revision: number;
  action: string;
  kind: 'step' | 'compensation' | 'lifecycle' | 'renewal';
  attempt: number;
  outcome: 'succeeded' | 'failed';
  started_at: string;
  finished_at: string;
  duration_ms: number;
  error: string | null;
}

const ACTION_OF = new Map<string, ActionName>(
  Object.entries(RECORDED_BY).map(([action, done]) => [done, action as ActionName]),
);

/**
 * The run an event records, if it records one. Pure; a run's duration comes from the event's own
 * times. Every failed attempt is one event (`StepAttemptFailed` when retried, `ProvisioningStepFailed`
 * after the last), so runs, failures and retries count themselves.
 */
export function stepRunOf(schoolId: string, stored: ViewEvent): StepRunRow | undefined {
  const event = upcast(stored);
  const run = (
    action: string,
    kind: StepRunRow['kind'],
    d: { attempt: number; startedAt: string; finishedAt: string },
    error: string | null = null,
  ): StepRunRow => ({
    school_id: schoolId,
    revision: event.revision,
    action,
    kind,
    attempt: d.attempt,
    outcome: error === null ? 'succeeded' : 'failed',
    started_at: d.startedAt,
    finished_at: d.finishedAt,
    duration_ms: Math.max(0, Date.parse(d.finishedAt) - Date.parse(d.startedAt)),
    error,
  });
  switch (event.type) {
    case 'StepAttemptFailed':
    case 'ProvisioningStepFailed':
      return run(event.data.step, kindOf(event.data.step), event.data, event.data.error);
    case 'NonCriticalStepFailed':
      return run(event.data.step, 'step', event.data, event.data.error);
    case 'CertificateRenewed':
      return run('renew_certificate', 'renewal', event.data);
    case 'CertificateDelivered': // the renewer's delivery of a renewed certificate is part of the renewal
      return run('deliver_certificate', event.data.renewal ? 'renewal' : 'step', event.data);
    case 'CertificateRenewalFailed':
      return run('renew_certificate', 'renewal', event.data, event.data.error);
    default: {
      const action = ACTION_OF.get(event.type);
      if (!action || !('attempt' in event.data)) return undefined;
      return run(action, kindOf(action), event.data as { attempt: number; startedAt: string; finishedAt: string });
    }
  }
}
