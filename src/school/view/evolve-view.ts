import type { EventOf, SchoolEvent, StepRun } from '../../domain/school/events.js';
import type { FoldableEvent } from '../../domain/school/evolve.js';
import type { OtherEventType } from '../../domain/school/fold-types.js';
import { STEP_RECORDED_BY } from '../../domain/school/steps.js';
import { upcast } from '../../domain/school/upcast.js';
import type { SchoolView } from './school-view.js';
import type { ViewFolds } from './view-folds.js';
import { LIFECYCLE_VIEW_FOLDS } from './view-lifecycle-folds.js';
import { OPERATION_VIEW_FOLDS } from './view-operation-folds.js';
import { STEP_FAILURE_VIEW_FOLDS, STEP_VIEW_FOLDS } from './view-step-folds.js';
import { notRun, stepDone, stepUndone } from './view-steps.js';

/** Every event type that is not a step's own: the compiler names one missing. */
const FOLDS: ViewFolds<OtherEventType> = {
  ...STEP_FAILURE_VIEW_FOLDS,
  ...LIFECYCLE_VIEW_FOLDS,
  ...OPERATION_VIEW_FOLDS,
};

type AnyFold = (view: SchoolView, data: unknown) => SchoolView;

/**
 * Folds one event into the school's view. Pure, and the read model's own: it shares no state type
 * with the domain, so the domain can change shape without the stored rows being misread. A step's
 * events mark the step from the step order; what else they show is `STEP_VIEW_FOLDS`.
 */
export function evolveView(view: SchoolView | undefined, stored: FoldableEvent): SchoolView | undefined {
  const event = upcast(stored);
  if (event.type === 'SchoolRequested') return requested(event, event.revision ?? 0);
  if (!view) return view;
  const next = apply(view, event);
  const updatedAt = event.metadata?.now ?? next.updatedAt;
  const revision = event.revision ?? view.revision + 1;
  if (next === view) return { ...view, updatedAt, revision };
  // `next` is a new object made for this event that nobody else holds: finished here rather than copied
  // once more, as a rebuild folds every event.
  next.updatedAt = updatedAt;
  next.revision = revision;
  return next;
}

export function foldView(events: Iterable<FoldableEvent>, initial?: SchoolView): SchoolView | undefined {
  let view = initial;
  for (const event of events) view = evolveView(view, event);
  return view;
}

function requested({ data }: EventOf<'SchoolRequested'>, revision: number): SchoolView {
  const { schoolId: id, name, slug, databaseName, subdomain, requestedAt, district, board, adminEmail } = data;
  return {
    id,
    name,
    slug,
    databaseName,
    subdomain,
    status: 'provisioning',
    createdAt: requestedAt,
    updatedAt: requestedAt,
    district,
    board,
    adminEmail,
    phone: data.phone,
    steps: notRun(),
    compensations: [],
    warnings: [],
    schemaVersion: null,
    server: null,
    revision,
  };
}

function apply(view: SchoolView, event: SchoolEvent): SchoolView {
  const recorded = STEP_RECORDED_BY.get(event.type);
  if (recorded) {
    const run = event.data as StepRun;
    const stepped = recorded.undo
      ? stepUndone(view, recorded.step, recorded.undo, run)
      : stepDone(view, recorded.step, run);
    const shows = STEP_VIEW_FOLDS[event.type as keyof typeof STEP_VIEW_FOLDS] as AnyFold | undefined;
    return shows ? shows(stepped, event.data) : stepped;
  }
  // An event type this version does not know (a newer process's) leaves the view as it was.
  const fold = FOLDS[event.type as OtherEventType] as AnyFold | undefined;
  return fold ? fold(view, event.data) : view;
}
