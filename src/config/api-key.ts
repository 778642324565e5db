import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppLogger } from '../application/ports/logger.port.js';
import type { Config } from './config.js';

/**
 * SCS_API_KEY, or in development a key generated once and kept in the data folder, so that the
 * printed curl examples keep working across restarts. Production refuses to start without one (config).
 */
export function resolveApiKeys(config: Config, logger: AppLogger): { keys: Config['apiKeys']; generated?: { value: string; file: string } } {
  if (config.apiKeys.length > 0) return { keys: config.apiKeys };
  if (config.env === 'production') throw new Error('SCS_API_KEY is required in production');
  const file = join(config.dataDir, 'api-key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    logger.warn(`no SCS_API_KEY: generated a development key in ${file}`);
  }
  const value = readFileSync(file, 'utf8').trim();
  return { keys: [{ id: 'dev', secret: value }], generated: { value, file } };
}

/**
 * SCS_CREDENTIALS_KEY, or in development a key generated once into the data folder. Losing it means
 * the registry's stored passwords can no longer be read (the databases themselves are unaffected).
 */
export function resolveCredentialsKey(config: Config, logger: AppLogger): Buffer {
  if (config.credentialsKey) return config.credentialsKey;
  if (config.env === 'production') throw new Error('SCS_CREDENTIALS_KEY is required in production');
  const file = join(config.dataDir, 'credentials.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
    logger.warn(`no SCS_CREDENTIALS_KEY: generated a development key in ${file}`);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}
