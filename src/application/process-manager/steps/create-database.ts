import { defineStep } from './step-module.js';

/**
 * The school's own PostgreSQL database, on the tenant server placed for it (chosen once, kept through
 * re-runs, recorded in `DatabaseCreated`); a teardown archives it before dropping it.
 */
export const createDatabase = defineStep({
  name: 'create_database',
  needs: ['servers', 'archives'],
  run: async ({ ports, state: { id, databaseName }, run }) => {
    const server = await ports.servers.place(id);
    const created = await ports.servers.on(server).create(databaseName);
    const { method, alreadyExisted, durationMs } = created;
    return { type: 'DatabaseCreated', data: { ...run(), databaseName, method, alreadyExisted, durationMs, server } };
  },
  undo: async ({ ports, state, run }) => {
    const { databaseName } = state;
    // Recorded, or placed by an attempt whose event never was; neither: no database was ever made.
    const server = state.server ?? (await ports.servers.placementOf(state.id));
    if (server === undefined) {
      return { type: 'DatabaseDropped', data: { ...run(), databaseName, existed: false, terminatedConnections: 0 } };
    }
    const databases = ports.servers.on(server);
    // A teardown keeps the school's data first; a rollback has none worth keeping.
    const archive =
      state.status === 'deprovisioning' && (await databases.exists(databaseName))
        ? await ports.archives.archive({ schoolId: state.id, databaseName, server })
        : undefined;
    const { existed, terminatedConnections } = await databases.drop(databaseName);
    await ports.servers.release(state.id);
    const data = { ...run(), databaseName, server, existed, terminatedConnections, ...(archive ? { archive } : {}) };
    return { type: 'DatabaseDropped', data };
  },
});
