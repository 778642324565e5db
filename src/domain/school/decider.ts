import type { SchoolCommand } from './commands.js';
import { DomainError, WrongStatusError } from './errors.js';
import type { SchoolEvent } from './events.js';
import type { SchoolState } from './state.js';

export type SchoolCommandType = SchoolCommand['type'];

/** How each command of a concern is decided: the events it makes from the school's state. Pure. */
export type Decisions<T extends SchoolCommandType> = {
  [K in T]: (command: Extract<SchoolCommand, { type: K }>['data'], state: SchoolState | undefined) => SchoolEvent[];
};

export function existing(state: SchoolState | undefined): SchoolState {
  if (!state) throw new DomainError('school_not_found', 'no such school');
  return state;
}

/** Refuses a command the school's status does not allow: 410 once deleted, else 409 with the status. */
export function refuseUnless(school: SchoolState, allowed: readonly string[], rule: string): void {
  if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
  if (!allowed.includes(school.status)) {
    throw new WrongStatusError(school.status, `school ${school.id} is ${school.status}; ${rule}`);
  }
}
