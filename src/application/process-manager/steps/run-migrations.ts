import { defineStep } from './step-module.js';

/** Brings the school database to the current school schema and hands it to the school's own role. */
export const runMigrations = defineStep({
  name: 'run_migrations',
  needs: ['databases', 'credentials'],
  run: async ({ ports, state, run }) => {
    const { databaseName } = state;
    const migrated = await ports.databases.migrate(databaseName);
    const owner = { role: ports.credentials.roleFor(databaseName), password: ports.credentials.passwordFor(state.id) };
    await ports.databases.secure(databaseName, owner);
    const { schemaVersion, applied, tableCount, durationMs } = migrated;
    const data = { ...run(), databaseName, schemaVersion, applied, tableCount, durationMs };
    return { type: 'MigrationsApplied', data };
  },
  // No undo: the schema is dropped with the database.
});
