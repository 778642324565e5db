import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CREDENTIALS_KEY_ID } from '../domain/school/state.js';
import type { Config, CredentialsKey } from './config.js';

/** Where a generated key is announced (the application's logger fits). */
interface Announcer {
  warn(message: string): void;
}

/**
 * A secret generated once into the data folder (readable by the owner only) for development, so that
 * it survives restarts. Production never gets here: the configuration requires the real variable.
 */
function developmentSecret(
  config: Config,
  logger: Announcer,
  variable: string,
  fileName: string,
  bytes: number,
): { value: string; file: string } {
  if (config.env === 'production') throw new Error(`${variable} is required in production`);
  const file = join(config.dataDir, fileName);
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(bytes).toString('hex'), { mode: 0o600 });
    logger.warn(`no ${variable}: generated a development key in ${file}`);
  }
  return { value: readFileSync(file, 'utf8').trim(), file };
}

/** SCS_API_KEY/SCS_API_KEYS, or a development key, so the printed curl examples keep working. */
export function resolveApiKeys(
  config: Config,
  logger: Announcer,
): { keys: Config['apiKeys']; generated?: { value: string; file: string } } {
  if (config.apiKeys.length > 0) return { keys: config.apiKeys };
  const generated = developmentSecret(config, logger, 'SCS_API_KEY', 'api-key', 24);
  return { keys: [{ id: 'dev', secret: generated.value }], generated };
}

/**
 * SCS_CREDENTIALS_KEYS/SCS_CREDENTIALS_KEY, or a development key (id `default`). Losing a key means the
 * registry's passwords sealed with it can no longer be read (the databases themselves are unaffected).
 */
export function resolveCredentialsKeys(config: Config, logger: Announcer): CredentialsKey[] {
  if (config.credentialsKeys.length > 0) return config.credentialsKeys;
  const generated = developmentSecret(config, logger, 'SCS_CREDENTIALS_KEY', 'credentials.key', 32).value;
  return [{ id: DEFAULT_CREDENTIALS_KEY_ID, key: Buffer.from(generated, 'hex') }];
}
