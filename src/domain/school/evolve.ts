import type { EventOf, SchoolEvent, StepRun } from './events.js';
import { LIFECYCLE_FOLDS } from './evolve-lifecycle.js';
import { OPERATION_FOLDS } from './evolve-operations.js';
import { STEP_FAILURE_FOLDS, stepDone, stepUndone } from './evolve-steps.js';
import type { Folds, OtherEventType } from './fold-types.js';
import { initialSteps, type SchoolState } from './state.js';
import { STEP_RECORDED_BY } from './steps.js';
import { type StoredSchoolEvent, upcast } from './upcast.js';

/** An event as folded: a stored school event plus when it was decided (from its metadata). */
export type FoldableEvent = StoredSchoolEvent & { metadata?: { now?: string }; revision?: number };

/**
 * Every event type that is not a step's own: the compiler names one missing. A step's events are folded
 * from the step order (`STEP_RECORDED_BY`) and the step's effects (`steps/<name>.ts`).
 */
const FOLDS: Folds<OtherEventType> = { ...STEP_FAILURE_FOLDS, ...LIFECYCLE_FOLDS, ...OPERATION_FOLDS };

/** Folds one event into the school's state. Pure: time comes from the event. */
export function evolve(state: SchoolState | undefined, stored: FoldableEvent): SchoolState | undefined {
  const event = upcast(stored);
  if (event.type === 'SchoolRequested') return requested(event, event.revision ?? 0);
  if (!state) return state;
  const next = apply(state, event);
  return { ...next, updatedAt: event.metadata?.now ?? next.updatedAt, revision: event.revision ?? state.revision + 1 };
}

function requested({ data: d }: EventOf<'SchoolRequested'>, revision: number): SchoolState {
  const { name, slug, district, board, adminEmail, phone } = d;
  return {
    id: d.schoolId,
    details: { name, slug, district, board, adminEmail, phone },
    databaseName: d.databaseName,
    subdomain: d.subdomain,
    status: 'provisioning',
    createdAt: d.requestedAt,
    updatedAt: d.requestedAt,
    revision,
    steps: initialSteps(),
    undo: {},
    resources: { slug: false, database: false, registered: false },
    warnings: [],
  };
}

function apply(state: SchoolState, event: SchoolEvent): SchoolState {
  const recorded = STEP_RECORDED_BY.get(event.type);
  if (recorded) {
    const run = event.data as StepRun;
    return recorded.undo ? stepUndone(state, recorded.step, recorded.undo, run) : stepDone(state, recorded.step, run);
  }
  // An event type this version does not know (a newer process's) leaves the state as it was.
  const fold = FOLDS[event.type as OtherEventType] as ((s: SchoolState, data: unknown) => SchoolState) | undefined;
  return fold ? fold(state, event.data) : state;
}

export function fold(events: Iterable<FoldableEvent>, initial?: SchoolState): SchoolState | undefined {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
}
