import { defineStep } from './step-module.js';

/** The school's own PostgreSQL database; a teardown archives it before dropping it. */
export const createDatabase = defineStep({
  name: 'create_database',
  needs: ['databases', 'archives'],
  run: async ({ ports, state: { databaseName }, run }) => {
    const created = await ports.databases.create(databaseName);
    const { method, alreadyExisted, durationMs } = created;
    return { type: 'DatabaseCreated', data: { ...run(), databaseName, method, alreadyExisted, durationMs } };
  },
  undo: async ({ ports, state, run }) => {
    const { databaseName } = state;
    // A teardown keeps the school's data first; a rollback has none worth keeping.
    const archive =
      state.status === 'deprovisioning' && (await ports.databases.exists(databaseName))
        ? await ports.archives.archive({ schoolId: state.id, databaseName })
        : undefined;
    const { existed, terminatedConnections } = await ports.databases.drop(databaseName);
    const data = { ...run(), databaseName, existed, terminatedConnections, ...(archive ? { archive } : {}) };
    return { type: 'DatabaseDropped', data };
  },
});
