import type { EventOf, StepRun } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import { defineStep, type StepPorts } from './step-module.js';

/**
 * A restore's database: made empty and loaded from the archive (its SHA-256 checked first; a JSON-lines
 * archive into a database migrated to the archive's version). A half-loaded one from a crashed attempt is
 * dropped first: it was this restore's, and only a whole load counts.
 */
async function restoreDatabase(
  ports: Pick<StepPorts, 'servers' | 'archives'>,
  state: SchoolState,
  server: string,
  run: () => StepRun,
): Promise<EventOf<'DatabaseCreated'>> {
  const { databaseName } = state;
  const { location, format, sha256 } = state.restore!.archive;
  const databases = ports.servers.on(server);
  const started = performance.now();
  await databases.drop(databaseName);
  await databases.create(databaseName, { empty: true });
  const migrateTo = async (toVersion: string) => void (await databases.migrate(databaseName, { toVersion }));
  const loaded = await ports.archives.load({ archive: { location, format, sha256 }, databaseName, server, migrateTo });
  const durationMs = Math.round(performance.now() - started);
  const restoredFrom = { location, format, sha256, ...loaded };
  const data = { ...run(), databaseName, method: 'archive' as const, alreadyExisted: false, durationMs, server };
  return { type: 'DatabaseCreated', data: { ...data, restoredFrom } };
}

/**
 * The school's own PostgreSQL database, on the tenant server placed for it (chosen once, kept through
 * re-runs, recorded in `DatabaseCreated`); a teardown archives it before dropping it.
 */
export const createDatabase = defineStep({
  name: 'create_database',
  needs: ['servers', 'archives'],
  run: async ({ ports, state, run }) => {
    const { id, databaseName } = state;
    const server = await ports.servers.place(id);
    if (state.restore) return restoreDatabase(ports, state, server, run);
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
