import { isForward, isUndoing, lifecycleAction, nextStep, pendingCompensations } from './plan.js';
import type { SchoolState } from './state.js';
import type { ActionName } from './steps.js';

/** What the process manager should do next for a school. */
export type Reaction =
  | { type: 'run'; action: ActionName; attempt: number }
  | { type: 'wait'; until: string; action: ActionName }
  | { type: 'conclude' }
  | { type: 'ignore'; reason: string };

/** Pure: the next action for a school in this state at time `now` (ISO). */
export function react(state: SchoolState | undefined, now: string): Reaction {
  if (!state) return { type: 'ignore', reason: 'no such school' };
  let action: ActionName | undefined;
  if (isForward(state)) action = nextStep(state);
  else if (isUndoing(state)) action = pendingCompensations(state)[0];
  else {
    action = lifecycleAction(state);
    if (!action) return { type: 'ignore', reason: `school is ${state.status}` };
  }

  if (!action) return { type: 'conclude' };
  const retry = state.pendingRetry;
  if (retry && retry.action === action) {
    if (Date.parse(retry.retryAt) > Date.parse(now)) return { type: 'wait', until: retry.retryAt, action };
    return { type: 'run', action, attempt: retry.attempt + 1 };
  }
  const previous = isForward(state)
    ? state.steps[action as keyof typeof state.steps]
    : state.undo[action as keyof typeof state.undo]; // a lifecycle action's attempts are its pendingRetry's
  // A step that failed on another path (e.g. before a teardown) starts counting afresh.
  return { type: 'run', action, attempt: (previous?.status === 'retrying' ? previous.attempts : 0) + 1 };
}
