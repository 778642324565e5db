import { isAbsolute, resolve } from 'node:path';
import type { EnvReader } from './env-reader.js';

/** SCS_CREDENTIALS_DELIVERY and its settings: how school apps get their database connection (README, "Isolation"). */
export interface CredentialsDeliveryConfig {
  mode: 'api' | 'files' | 'aws-secrets-manager';
  /** `files`: SCS_CREDENTIALS_DIR (default `<SCS_DATA_DIR>/credentials`). */
  dir: string;
  /** `aws-secrets-manager`: SCS_CREDENTIALS_SECRET_PREFIX; each school's secret is `<prefix>/<school id>`. */
  secretPrefix: string;
  /** `aws-secrets-manager`: SCS_CREDENTIALS_RECOVERY_DAYS (7 to 30), how long a deleted secret can be restored. */
  recoveryWindowDays: number;
}

const MODES = ['api', 'files', 'aws-secrets-manager'] as const;

/** Reads and checks SCS_CREDENTIALS_DELIVERY and its settings. */
export function parseCredentialsDelivery(read: EnvReader, context: { dataDir: string }): CredentialsDeliveryConfig {
  const { env } = read;
  const raw = env.SCS_CREDENTIALS_DELIVERY || 'api';
  const mode = MODES.find((m) => m === raw) ?? 'api';
  if (mode !== raw) read.problem(`SCS_CREDENTIALS_DELIVERY=${raw} must be one of: ${MODES.join(', ')}`);
  const dir = env.SCS_CREDENTIALS_DIR || resolve(context.dataDir, 'credentials');
  if (env.SCS_CREDENTIALS_DIR && !isAbsolute(env.SCS_CREDENTIALS_DIR))
    read.problem(`SCS_CREDENTIALS_DIR=${env.SCS_CREDENTIALS_DIR} must be an absolute path (school apps read it too)`);
  const secretPrefix = (env.SCS_CREDENTIALS_SECRET_PREFIX || 'scs/schools').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9/_+=.@-]{1,400}$/.test(secretPrefix))
    read.problem(`SCS_CREDENTIALS_SECRET_PREFIX=${secretPrefix} may hold only letters, digits and /_+=.@-`);
  const recoveryWindowDays = Number(env.SCS_CREDENTIALS_RECOVERY_DAYS || '7');
  if (!Number.isInteger(recoveryWindowDays) || recoveryWindowDays < 7 || recoveryWindowDays > 30)
    read.problem(`SCS_CREDENTIALS_RECOVERY_DAYS=${env.SCS_CREDENTIALS_RECOVERY_DAYS} must be a whole number, 7 to 30`);
  return { mode, dir, secretPrefix, recoveryWindowDays };
}
