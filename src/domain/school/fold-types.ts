import type { EventOf, SchoolEventType } from './events.js';
import type { SchoolState } from './state.js';
import type { StepRecordedEvent } from './steps.js';

/** The event types whose fold is written out: every type but the ones that record a step or its undo. */
export type OtherEventType = Exclude<SchoolEventType, StepRecordedEvent | 'SchoolRequested'>;

/** How each event type of a group changes the state. */
export type Folds<T extends SchoolEventType> = {
  [K in T]: (state: SchoolState, data: EventOf<K>['data']) => SchoolState;
};

export const unchanged = (state: SchoolState): SchoolState => state;
