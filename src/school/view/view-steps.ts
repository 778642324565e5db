import type { StepRun } from '../../domain/school/events.js';
import type { StepStatus } from '../../domain/school/state.js';
import type { ActionName, CompensationName, StepName } from '../../domain/school/steps.js';
import { GOES_WITH, RECORDED_AGAIN, STEPS, WARNING_OF } from '../../domain/school/steps.js';
import type { SchoolView, StepView } from './school-view.js';

const NOT_RUN = { status: 'pending', attempts: 0, startedAt: null, finishedAt: null, error: null } as const;

/** Every step, none run yet. */
export const notRun = (): StepView[] => STEPS.map((step) => ({ ...NOT_RUN, name: step }));

function succeeded(name: ActionName, run: StepRun): StepView {
  const { attempt: attempts, startedAt, finishedAt } = run;
  return { name, status: 'succeeded', attempts, startedAt, finishedAt, error: null };
}

function stepOf(view: SchoolView, name: StepName): StepView {
  return view.steps.find((step) => step.name === name) ?? { ...NOT_RUN, name };
}

export function withStep(view: SchoolView, value: StepView): SchoolView {
  return { ...view, steps: view.steps.map((step) => (step.name === value.name ? value : step)) };
}

export function withCompensation(view: SchoolView, value: StepView): SchoolView {
  return { ...view, compensations: [...view.compensations.filter((c) => c.name !== value.name), value] };
}

/** A new status; the retry time shows only while a step waits for its retry. */
export function withStatus(view: SchoolView, name: StepName, status: StepStatus): SchoolView {
  const { retryAt: _retryAt, ...step } = stepOf(view, name);
  return withStep(view, { ...step, status });
}

/** A step's event recorded it done; one recorded again after the step (`RECORDED_AGAIN`) leaves it as it was. */
export function stepDone(view: SchoolView, step: StepName, run: StepRun): SchoolView {
  const again = RECORDED_AGAIN.has(step) && stepOf(view, step).status === 'succeeded';
  return again ? view : withStep(view, succeeded(step, run));
}

/**
 * A compensation done: the step it undid is `undone`, unless it is the one that failed, and so is a step
 * whose effect goes with it.
 */
export function stepUndone(view: SchoolView, step: StepName, compensation: CompensationName, run: StepRun) {
  let next = withCompensation(view, succeeded(compensation, run));
  if (stepOf(view, step).status !== 'failed') next = withStatus(next, step, 'undone');
  for (const [other, with_] of Object.entries(GOES_WITH) as Array<[StepName, StepName]>) {
    if (with_ === step && stepOf(view, other).status === 'succeeded') next = withStatus(next, other, 'undone');
  }
  return next;
}

/** A non-critical step failed for good: the step shows its warning, and the school the step's warning. */
export function stepWarned(view: SchoolView, step: StepName, run: StepRun & { error: string }): SchoolView {
  const warned = { ...succeeded(step, run), status: 'warning' as const, error: run.error };
  const warning = `${WARNING_OF[step] ?? `${step} failed`}: ${run.error}`;
  return { ...withStep(view, warned), warnings: [...view.warnings, warning] };
}

export function skipPending(view: SchoolView): SchoolView {
  const skip = (step: StepView): StepView => (step.status === 'pending' ? { ...step, status: 'skipped' } : step);
  return { ...view, steps: view.steps.map(skip) };
}
