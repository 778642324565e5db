import { decide } from '../../domain/school/decide.js';
import { fold } from '../../domain/school/evolve.js';
import { pendingCompensations } from '../../domain/school/plan.js';
import type { SchoolStatus } from '../../domain/school/state.js';
import type { CompensationName } from '../../domain/school/steps.js';
import type { EventStore } from '../../ports/event-store.port.js';
import { loadSchool } from '../school-stream.js';

export interface TeardownPlan {
  id: string;
  slug: string;
  status: SchoolStatus;
  /** False when a teardown is already under way: requesting one records nothing. */
  records: boolean;
  /** What the process manager would undo, in order. */
  undo: CompensationName[];
}

/**
 * What `RequestTeardown` would do to the school now, decided on its events without appending (a dry
 * run, or what an operator confirms): throws the handler's own `DomainError` where it would refuse.
 */
export async function planTeardown(store: EventStore, schoolId: string, now: string): Promise<TeardownPlan> {
  const { state } = await loadSchool(store, schoolId);
  const events = decide({ type: 'RequestTeardown', data: { now } }, state);
  const after = fold(events, state)!;
  const { details, status } = state!;
  return { id: schoolId, slug: details.slug, status, records: events.length > 0, undo: pendingCompensations(after) };
}
