import type { SchoolState } from './state.js';
import { REGISTRY_FIELDS } from './details.js';
import type { CompensationName, LifecycleActionName, StepName } from './steps.js';
import { COMPENSATIONS, STEPS, UNDO_ORDER } from './steps.js';

// `skipped`: a restore without `notify` has no welcome-back email to send.
const DONE = new Set(['succeeded', 'warning', 'skipped']);

/** Going forward through the steps: a new school's provisioning, or a deleted school's restore. */
export function isForward(state: Pick<SchoolState, 'status'>): boolean {
  return state.status === 'provisioning' || state.status === 'restoring';
}

/** The next forward step, or undefined when every step is done. */
export function nextStep(state: SchoolState): StepName | undefined {
  return STEPS.find((step) => !DONE.has(state.steps[step].status));
}

/**
 * Compensations still owed, in undo order. A step may have had its side effect without its event
 * (a crash in between, or a teardown racing it), so the first unfinished step is undone too:
 * every compensation is idempotent, and undoing something that never happened costs nothing.
 */
export function pendingCompensations(state: SchoolState): CompensationName[] {
  const frontier = nextStep(state);
  const touched = new Set<StepName>();
  for (const step of STEPS) {
    const status = state.steps[step].status;
    if (status !== 'pending' && status !== 'skipped') touched.add(step);
    if (step === frontier) {
      touched.add(step);
      break;
    }
  }
  const owed = new Set<CompensationName>();
  for (const step of touched) {
    const undo = COMPENSATIONS[step];
    if (undo) owed.add(undo);
  }
  return UNDO_ORDER.filter((undo) => owed.has(undo) && state.undo[undo]?.status !== 'succeeded');
}

export function isUndoing(state: SchoolState): boolean {
  return state.status === 'rolling_back' || state.status === 'deprovisioning';
}

/** Whether the registry row holds other details than the school has (they changed since it was written). */
export function registryBehind(state: SchoolState): boolean {
  const written = state.registryDetails;
  return !!written && state.resources.registered && REGISTRY_FIELDS.some((f) => written[f] !== state.details[f]);
}

/** The lifecycle action a school outside provisioning and undo needs now, if any. */
export function lifecycleAction(state: SchoolState): LifecycleActionName | undefined {
  if (state.status === 'suspending') return 'suspend_school';
  if (state.status === 'resuming') return 'resume_school';
  if (isForward(state) || isUndoing(state)) return undefined;
  return registryBehind(state) ? 'update_registry' : undefined;
}
