/**
 * The two points around a side effect where the test-only fault injection (adapters/faults) may
 * act: before it (a failure) and after it, before the event that records it (a crash). The use cases
 * call them; production composes NO_FAULTS, which does nothing.
 */
export interface FaultPoints {
  /** Before the side effect: may throw a StepError (`step:fail`, `step:flaky:N`). */
  beforeStep(action: string, attempt: number): void;
  /** After the side effect, before its event: may end the process (`step:crash`). */
  afterSideEffect(action: string, schoolId: string): void;
}

export const FAULT_POINTS = Symbol('FaultPoints');

export const NO_FAULTS: FaultPoints = {
  beforeStep: () => undefined,
  afterSideEffect: () => undefined,
};
