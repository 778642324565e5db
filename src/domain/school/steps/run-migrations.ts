import type { StepEffects } from './step-effects.js';

export const runMigrations: StepEffects<'run_migrations'> = {
  done: (state, data) => {
    const recordedIn = data.recordedIn ? { schemaRecordedIn: data.recordedIn } : {};
    const next = { ...state, schemaVersion: data.schemaVersion, ...recordedIn };
    const keyId = data.credentialsKeyId;
    return keyId ? { ...next, credentials: { keyId, generation: data.credentialsGeneration ?? 0 } } : next;
  },
};
