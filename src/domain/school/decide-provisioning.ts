import type { SchoolCommand } from './commands.js';
import { validateSchoolDetails } from './details.js';
import { type Decisions, existing } from './decider.js';
import { DomainError } from './errors.js';
import type { SchoolEvent } from './events.js';
import { SUCCESS_EVENT } from './events.js';
import { evolve } from './evolve.js';
import { isForward, isUndoing, lifecycleAction, nextStep, pendingCompensations } from './plan.js';
import type { SchoolState } from './state.js';
import { CRITICAL, isCompensationName, isLifecycleAction, type StepName } from './steps.js';

type Failure = Extract<SchoolCommand, { type: 'RecordStepFailure' }>['data'];

/** A school requested, its steps' results and failures recorded, and the conclusion once nothing is left. */
export const PROVISIONING: Decisions<'RequestSchool' | 'RecordStepResult' | 'RecordStepFailure' | 'Conclude'> = {
  RequestSchool: (command, state) => {
    if (state) throw new DomainError('school_already_exists', `school ${command.schoolId} already exists`);
    const { schoolId, details, databaseName, subdomain, slugStream, slugRevision, now } = command;
    const checked = validateSchoolDetails(details, { reservedSlugs: new Set(command.reservedSlugs) });
    if (Array.isArray(checked))
      throw new DomainError('invalid_details', checked.map((e) => `${e.field} ${e.message}`).join('; '));
    return [
      { type: 'SchoolRequested', data: { schoolId, ...checked, databaseName, subdomain, requestedAt: now } },
      {
        type: 'SlugReserved',
        data: { slug: checked.slug, slugStream, slugRevision, attempt: 1, startedAt: now, finishedAt: now },
      },
    ];
  },
  RecordStepResult: ({ action, event, now }, state) => {
    const school = existing(state);
    if (SUCCESS_EVENT[action] !== event.type) {
      throw new DomainError('unexpected_result', `${action} cannot be recorded by ${event.type}`);
    }
    // Recorded while still wanted: a repeat, or one overtaken by a teardown, is not news.
    if (isLifecycleAction(action)) return lifecycleAction(school) === action ? [event] : [];
    // A fact is recorded once; a re-run after a crash reports it again and is ignored.
    const already = isCompensationName(action)
      ? school.undo[action]?.status === 'succeeded'
      : ['succeeded', 'warning'].includes(school.steps[action].status);
    if (already) return [];
    return withConclusion(school, [event], now);
  },
  RecordStepFailure: (failure, state) => recordFailure(existing(state), failure),
  Conclude: ({ now }, state) => withConclusion(existing(state), [], now),
};

function recordFailure(school: SchoolState, failure: Failure): SchoolEvent[] {
  const { action, attempt, error, permanent, maxAttempts, retryAt, startedAt, finishedAt, now } = failure;
  const retried: SchoolEvent[] = [
    { type: 'StepAttemptFailed', data: { step: action, attempt, error, startedAt, finishedAt, retryAt } },
  ];
  // A lifecycle action is retried until it succeeds (as an undo is), while it is still wanted.
  if (isLifecycleAction(action)) return lifecycleAction(school) === action ? retried : [];
  if (isCompensationName(action)) {
    // An undo is never abandoned: giving up would leave an orphan. It is retried until it succeeds.
    return !isUndoing(school) || school.undo[action]?.status === 'succeeded' ? [] : retried;
  }
  if (!isForward(school) || nextStep(school) !== action) return [];
  if (!permanent && attempt < maxAttempts) return retried;
  const reason = permanent ? error : `${error} (gave up after ${attempt} attempts)`;
  const run = { attempt, startedAt, finishedAt };
  if (!CRITICAL[action]) {
    return withConclusion(
      school,
      [{ type: 'NonCriticalStepFailed', data: { step: action, ...run, error: reason } }],
      now,
    );
  }
  const step = action as StepName;
  const failed: SchoolEvent[] = [
    { type: 'ProvisioningStepFailed', data: { step, ...run, error: reason } },
    { type: 'RollbackStarted', data: { failedStep: step, reason } },
  ];
  return withConclusion(school, failed, now);
}

/** Appends the closing event when the given events leave nothing more to do. */
function withConclusion(state: SchoolState, events: SchoolEvent[], now: string): SchoolEvent[] {
  let after: SchoolState | undefined = state;
  for (const event of events) after = evolve(after, event);
  if (!after) return events;
  if (isForward(after) && nextStep(after) === undefined) return [...events, provisioned(after, now)];
  if (isUndoing(after) && pendingCompensations(after).length === 0) return [...events, undone(after, now)];
  return events;
}

function provisioned(after: SchoolState, now: string): SchoolEvent {
  if (after.restore) {
    const durationMs = Date.parse(now) - Date.parse(after.restore.requestedAt);
    return { type: 'SchoolRestored', data: { restoredAt: now, durationMs } };
  }
  const durationMs = Date.parse(now) - Date.parse(after.createdAt);
  return { type: 'SchoolProvisioned', data: { provisionedAt: now, durationMs } };
}

function undone(after: SchoolState, now: string): SchoolEvent {
  if (after.status === 'deprovisioning') return { type: 'SchoolDeleted', data: { deletedAt: now } };
  const failure = after.failure ?? { step: 'reserve_slug' as StepName, reason: 'rolled back' };
  const data = { failedStep: failure.step, reason: failure.reason, finishedAt: now };
  return after.restore ? { type: 'SchoolRestoreFailed', data } : { type: 'SchoolRolledBack', data };
}
