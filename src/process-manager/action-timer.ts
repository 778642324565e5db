import { kindOf, type ActionName } from '../domain/school/steps.js';
import type { Telemetry } from '../ports/telemetry.port.js';

/** A failed run of an action, and whether its failure is permanent. */
export type ActionFailure = { permanent: boolean };

/**
 * Times one run of an action; the first call of what it returns reports the run (success, or a failure
 * and whether it is retried).
 */
export function startActionTimer(
  telemetry: Telemetry,
  maxAttempts: number,
  action: ActionName,
  attempt: number,
): (failure?: ActionFailure) => void {
  const started = performance.now();
  let reported = false;
  return (failure) => {
    if (reported) return;
    reported = true;
    const kind = kindOf(action);
    // Compensations and lifecycle actions are retried until they succeed; steps until their last attempt.
    const lastAttempt = attempt >= maxAttempts;
    const retried = failure !== undefined && (kind !== 'step' || (!failure.permanent && !lastAttempt));
    const outcome = failure ? 'failed' : 'succeeded';
    const seconds = (performance.now() - started) / 1000;
    telemetry.actionFinished({ action, kind, outcome, retried, seconds });
  };
}
