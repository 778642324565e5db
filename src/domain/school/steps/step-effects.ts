import type { EventOf, SchoolEventType } from '../events.js';
import type { SchoolState } from '../state.js';
import type { STEP_ORDER, StepName } from '../steps.js';

type Definition<N extends StepName> = Extract<(typeof STEP_ORDER)[number], { name: N }>;
type DataOf<T> = T extends SchoolEventType ? EventOf<T>['data'] : never;
type UndoneBy<N extends StepName> = Definition<N> extends { undone: infer U } ? U : never;

/** Something in the world a step made and owns while the school's events say it is there. */
export interface OwnedResource {
  kind: 'dns';
  name: string;
  recordType: string;
}

/**
 * What a step's events change in the school's state, beside the step's own status (which the fold
 * derives from the step order), and what it owns, which the reconciler accounts to the school.
 */
export interface StepEffects<N extends StepName> {
  done(state: SchoolState, data: DataOf<Definition<N>['done']>): SchoolState;
  /** Its undo's event: what the undo took away (steps without an undo have none). */
  undone?(state: SchoolState, data: DataOf<UndoneBy<N>>): SchoolState;
  owns?(state: SchoolState): OwnedResource[];
}

export function withResources(state: SchoolState, changes: Partial<SchoolState['resources']>): SchoolState {
  return { ...state, resources: { ...state.resources, ...changes } };
}
