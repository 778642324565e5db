import type { SchoolCommand } from './commands.js';
import { CERTIFICATES, CREDENTIALS, MOVES, SCHEMA } from './decide-operations.js';
import { LIFECYCLE } from './decide-lifecycle.js';
import { PROVISIONING } from './decide-provisioning.js';
import type { Decisions, SchoolCommandType } from './decider.js';
import type { SchoolEvent } from './events.js';
import { evolve, type FoldableEvent } from './evolve.js';
import type { SchoolState } from './state.js';

export { nextCredentialsGeneration } from './decide-operations.js';

/** Every command's decision, from the deciders of each concern: the compiler names a command left out. */
const DECISIONS: Decisions<SchoolCommandType> = {
  ...PROVISIONING,
  ...LIFECYCLE,
  ...CERTIFICATES,
  ...CREDENTIALS,
  ...SCHEMA,
  ...MOVES,
};

/** Decides which events a command produces, given the school's state. Pure. */
export function decide(command: SchoolCommand, state: SchoolState | undefined): SchoolEvent[] {
  const decision = DECISIONS[command.type] as (data: unknown, state: SchoolState | undefined) => SchoolEvent[];
  return decision(command.data, state);
}

/** The school as a decider (Emmett's `Decider`): its commands' decisions, its fold, and where a school starts. */
export const schoolDecider: {
  decide: typeof decide;
  evolve: (state: SchoolState | undefined, event: FoldableEvent) => SchoolState | undefined;
  initialState: () => SchoolState | undefined;
} = { decide, evolve, initialState: () => undefined };
