import { nextCredentialsGeneration } from '../../domain/school/decide.js';
import { serverOf } from '../../domain/school/placement.js';
import { defineStep } from './step-module.js';

/**
 * Brings the school database to the current school schema (a restored one from its archive's version) and
 * hands it to the school's own role.
 */
export const runMigrations = defineStep({
  name: 'run_migrations',
  needs: ['servers', 'credentials'],
  run: async ({ ports, state, run }) => {
    const { databaseName } = state;
    const databases = ports.servers.on(serverOf(state));
    const credentialsKeyId = ports.credentials.activeKeyId;
    // A restored school's role gets a password never given before (its last generation's next).
    const credentialsGeneration = state.restore ? nextCredentialsGeneration(state) : 0;
    const generation = { keyId: credentialsKeyId, generation: credentialsGeneration };
    const password = ports.credentials.passwordFor(state.id, generation);
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
    if (state.restore) return { type: 'MigrationsApplied', data: { ...data, credentialsGeneration } };
    return { type: 'MigrationsApplied', data };
  },
  // No undo: the schema is dropped with the database.
});
