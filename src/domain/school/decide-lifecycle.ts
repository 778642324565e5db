import type { SchoolCommand } from './commands.js';
import { CHANGEABLE_FIELDS, type ChangeableDetails } from './details.js';
import { type Decisions, existing, refuseUnless } from './decider.js';
import { DomainError, WrongStatusError } from './errors.js';
import type { SchoolEvent } from './events.js';
import { requestRestore } from './restore.js';
import type { SchoolState } from './state.js';
import { reasonProblem } from './suspension.js';

/** What operators ask of a school after its request: teardown, restore, a change of details, suspension. */
export const LIFECYCLE: Decisions<
  'RequestTeardown' | 'RequestRestore' | 'ChangeDetails' | 'RequestSuspension' | 'RequestResume'
> = {
  RequestTeardown: ({ now }, state) => {
    const school = existing(state);
    if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is already deleted`);
    if (school.status === 'deprovisioning') return [];
    return [{ type: 'TeardownRequested', data: { requestedAt: now, statusBefore: school.status } }];
  },
  RequestRestore: (request, state) => requestRestore(existing(state), request),
  ChangeDetails: (change, state) => changeDetails(existing(state), change),
  RequestSuspension: ({ reason, now }, state) => {
    const school = existing(state);
    const problem = reasonProblem(reason);
    if (problem) throw new DomainError('invalid_details', `reason ${problem}`);
    refuseUnless(school, ['active', 'resuming'], 'only an active school (or one resuming) can be suspended');
    return [{ type: 'SchoolSuspensionRequested', data: { reason, requestedAt: now, statusBefore: school.status } }];
  },
  RequestResume: ({ now }, state) => {
    const school = existing(state);
    refuseUnless(school, ['suspended', 'suspending'], 'only a suspended school (or one being suspended) can resume');
    return [{ type: 'SchoolResumeRequested', data: { requestedAt: now, statusBefore: school.status } }];
  },
};

/**
 * The changed fields as one event, with the values they replace; none changed, no event. Refused when the
 * school moved on from the revision the caller saw, and once it is being or has been torn down.
 */
function changeDetails(
  school: SchoolState,
  { changes, expectedRevision, now }: Extract<SchoolCommand, { type: 'ChangeDetails' }>['data'],
): SchoolEvent[] {
  if (expectedRevision !== undefined && school.revision !== expectedRevision) {
    const detail = `school ${school.id} is at revision ${school.revision}, not ${expectedRevision}`;
    throw new DomainError('revision_mismatch', detail);
  }
  if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
  if (school.status === 'deprovisioning') {
    throw new WrongStatusError(school.status, `school ${school.id} is being torn down; its details cannot change`);
  }
  const changed = CHANGEABLE_FIELDS.filter((f) => changes[f] !== undefined && changes[f] !== school.details[f]);
  if (changed.length === 0) return [];
  const pick = (from: Partial<ChangeableDetails>) => Object.fromEntries(changed.map((f) => [f, from[f]]));
  return [
    { type: 'SchoolDetailsChanged', data: { changes: pick(changes), previous: pick(school.details), changedAt: now } },
  ];
}
