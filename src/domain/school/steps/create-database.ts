import { serverOf } from '../placement.js';
import { type StepEffects, withResources } from './step-effects.js';

export const createDatabase: StepEffects<'create_database'> = {
  done: (state, data) => ({ ...withResources(state, { database: true }), server: serverOf(data) }),
  undone: (state, data) => {
    // A rollback's drop keeps no archive: the teardown's stays the one a restore loads.
    const archive = data.archive ? { ...data.archive, archivedAt: data.finishedAt } : state.archive;
    return { ...withResources(state, { database: false }), archive };
  },
};
