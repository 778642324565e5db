import { isAbsolute, resolve } from 'node:path';

/** SCS_CREDENTIALS_DELIVERY and its settings: how school apps get their database connection (README, "Isolation"). */
export interface CredentialsDeliveryConfig {
  mode: 'api' | 'files';
  /** `files`: SCS_CREDENTIALS_DIR (default `<SCS_DATA_DIR>/credentials`). */
  dir: string;
}

const MODES = ['api', 'files'] as const;

/** Reads and checks SCS_CREDENTIALS_DELIVERY and its settings; problems are added to `problems`. */
export function parseCredentialsDelivery(
  env: NodeJS.ProcessEnv,
  context: { dataDir: string; problems: string[] },
): CredentialsDeliveryConfig {
  const { problems } = context;
  const raw = env.SCS_CREDENTIALS_DELIVERY || 'api';
  const mode = MODES.find((m) => m === raw) ?? 'api';
  if (mode !== raw) problems.push(`SCS_CREDENTIALS_DELIVERY=${raw} must be one of: ${MODES.join(', ')}`);
  const dir = env.SCS_CREDENTIALS_DIR || resolve(context.dataDir, 'credentials');
  if (env.SCS_CREDENTIALS_DIR && !isAbsolute(env.SCS_CREDENTIALS_DIR))
    problems.push(`SCS_CREDENTIALS_DIR=${env.SCS_CREDENTIALS_DIR} must be an absolute path (school apps read it too)`);
  return { mode, dir };
}
