import { serverOf } from '../../../domain/school/placement.js';
import { defineStep } from './step-module.js';

/** Brings the school database to the current school schema and hands it to the school's own role. */
export const runMigrations = defineStep({
  name: 'run_migrations',
  needs: ['servers', 'credentials'],
  run: async ({ ports, state, run }) => {
    const { databaseName } = state;
    const databases = ports.servers.on(serverOf(state));
    const credentialsKeyId = ports.credentials.activeKeyId;
    const password = ports.credentials.passwordFor(state.id, { keyId: credentialsKeyId, generation: 0 });
    const owner = { role: ports.credentials.roleFor(databaseName), password };
    const migrated = await databases.migrate(databaseName, { owner });
    const { schemaVersion, applied, tableCount, durationMs } = migrated;
    const recordedIn = 'drizzle' as const;
    const data = {
      ...run(),
      databaseName,
      schemaVersion,
      applied,
      tableCount,
      durationMs,
      credentialsKeyId,
      recordedIn,
    };
    return { type: 'MigrationsApplied', data };
  },
  // No undo: the schema is dropped with the database.
});
