import type { StepRun } from './events.js';
import type { Folds } from './fold-types.js';
import type { SchoolState, StepState } from './state.js';
import type { ActionName, CompensationName, StepName } from './steps.js';
import { GOES_WITH, isCompensationName, isLifecycleAction, RECORDED_AGAIN, WARNING_OF } from './steps.js';
import { STEP_EFFECTS, type StepEffects } from './steps/index.js';

function succeeded(run: StepRun, name: ActionName): StepState {
  return { name, status: 'succeeded', attempts: run.attempt, startedAt: run.startedAt, finishedAt: run.finishedAt };
}

function withStep(state: SchoolState, step: StepName, value: StepState): SchoolState {
  return { ...state, steps: { ...state.steps, [step]: value }, pendingRetry: undefined };
}

const effectsOf = (step: StepName) => STEP_EFFECTS[step] as StepEffects<StepName>;

/** A step's event recorded it done; one recorded again after the step (`RECORDED_AGAIN`) leaves it as it was. */
export function stepDone(state: SchoolState, step: StepName, run: StepRun): SchoolState {
  const again = RECORDED_AGAIN.has(step) && state.steps[step].status === 'succeeded';
  const marked = again ? state : withStep(state, step, succeeded(run, step));
  return effectsOf(step).done(marked, run as never);
}

/**
 * A step's undo recorded: the step is `undone` (one that failed stays `failed`, the compensation list shows
 * its undo), and so is a step whose effect goes with it.
 */
export function stepUndone(state: SchoolState, step: StepName, undo: CompensationName, run: StepRun): SchoolState {
  const steps = { ...state.steps };
  if (steps[step].status !== 'failed') steps[step] = { ...steps[step], status: 'undone' };
  for (const [other, with_] of Object.entries(GOES_WITH) as Array<[StepName, StepName]>) {
    if (with_ === step && steps[other].status === 'succeeded') steps[other] = { ...steps[other], status: 'undone' };
  }
  const next = { ...state, steps, undo: { ...state.undo, [undo]: succeeded(run, undo) }, pendingRetry: undefined };
  return effectsOf(step).undone?.(next, run as never) ?? next;
}

/** How a step's failed attempts and final failures change the state. */
export const STEP_FAILURE_FOLDS: Folds<'StepAttemptFailed' | 'ProvisioningStepFailed' | 'NonCriticalStepFailed'> = {
  StepAttemptFailed: (state, { step, attempt, error, startedAt, finishedAt, retryAt }) => {
    const failed: StepState = {
      name: step,
      status: 'retrying',
      attempts: attempt,
      startedAt,
      finishedAt,
      error,
      retryAt,
    };
    const pendingRetry = { action: step, attempt, retryAt };
    if (isLifecycleAction(step)) return { ...state, pendingRetry };
    if (isCompensationName(step)) return { ...state, undo: { ...state.undo, [step]: failed }, pendingRetry };
    return { ...state, steps: { ...state.steps, [step]: failed }, pendingRetry };
  },
  ProvisioningStepFailed: (state, { step, attempt, startedAt, finishedAt, error }) => {
    const failed: StepState = { name: step, status: 'failed', attempts: attempt, startedAt, finishedAt, error };
    return { ...withStep(state, step, failed), failure: { step, reason: error } };
  },
  NonCriticalStepFailed: (state, data) => {
    const warned: StepState = { ...succeeded(data, data.step), status: 'warning', error: data.error };
    const warning = `${WARNING_OF[data.step] ?? `${data.step} failed`}: ${data.error}`;
    return { ...withStep(state, data.step, warned), warnings: [...state.warnings, warning] };
  },
};
