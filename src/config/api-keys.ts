import { isScope, SCOPES, splitScopes, type Scope } from './scopes.js';
import { KEY_ID, type EnvReader } from './env-reader.js';

export interface ConfiguredApiKey {
  id?: string;
  secret: string;
  /** What the key may do; absent: everything (SCS_API_KEY, and `id:secret` entries). */
  scopes?: Scope[];
}

export interface ApiKeySettings {
  /**
   * SCS_API_KEY and SCS_API_KEYS (or SCS_API_KEYS_FILE) together; several keys at once allow rotation
   * without downtime. A key without `scopes` has every scope.
   */
  apiKeys: ConfiguredApiKey[];
}

const SCOPES_TEXT = SCOPES.join(', ');

/**
 * SCS_API_KEY and SCS_API_KEYS. `fromFile`: SCS_API_KEYS came from SCS_API_KEYS_FILE, which the messages
 * then name. The messages never repeat a secret: configuration errors end up in logs.
 */
export function parseApiKeys(read: EnvReader, context: { fromFile: boolean; production: boolean }): ApiKeySettings {
  const apiKeys: ConfiguredApiKey[] = [];
  const single = read.env.SCS_API_KEY;
  if (single) {
    if (single.length < 16) read.problem('SCS_API_KEY must be at least 16 characters');
    else apiKeys.push({ secret: single });
  }
  for (const key of listedApiKeys(read, context.fromFile)) {
    if (apiKeys.some((k) => k.id === key.id)) read.problem(`SCS_API_KEYS: key id "${key.id}" appears twice`);
    else apiKeys.push(key);
  }
  if (apiKeys.length === 0 && context.production)
    read.problem(
      'SCS_API_KEY (or SCS_API_KEYS) is required in production: set it to a long random secret (e.g. `openssl rand -hex 32`)',
    );
  return { apiKeys };
}

/**
 * `SCS_API_KEYS=id:secret[:scope+scope],…`, or the same in the file SCS_API_KEYS_FILE (entries separated
 * by commas or lines; blank lines and `#` lines skipped), so that the secrets need not sit in the environment.
 * The file is read with every other secret's (withSecretFiles).
 */
function listedApiKeys(read: EnvReader, fromFile: boolean): ConfiguredApiKey[] {
  const source = fromFile ? 'SCS_API_KEYS_FILE' : 'SCS_API_KEYS';
  const entries = (read.env.SCS_API_KEYS ?? '')
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith('#'));
  return entries.flatMap((entry) => {
    const key = apiKeyOf(entry, source, read);
    return key ? [key] : [];
  });
}

/** One `id:secret[:scope+scope]` entry, or undefined after recording its problems. */
function apiKeyOf(entry: string, source: string, read: EnvReader): ConfiguredApiKey | undefined {
  const at = entry.indexOf(':');
  const id = entry.slice(0, at);
  const { secret, scopes } = splitScopes(entry.slice(at + 1));
  if (at < 1 || !KEY_ID.test(id)) {
    read.problem(
      `${source} entries must be id:secret or id:secret:scope+scope, with an id of a-z, 0-9, - and _ (up to 32 characters)`,
    );
    return undefined;
  }
  if (secret.length < 16) read.problem(`${source}: the secret of key "${id}" must be at least 16 characters`);
  // Named by position, not by value: a secret that holds `:` may be what was misread as scopes.
  const unknown = (scopes ?? []).flatMap((scope, i) => (isScope(scope) ? [] : [i + 1]));
  if (unknown.length > 0)
    read.problem(
      `${source}: key "${id}": scope ${unknown.join(', ')} of ${scopes!.length} after its secret is not one of ${SCOPES_TEXT}`,
    );
  if (secret.length < 16 || unknown.length > 0) return undefined;
  return { id, secret, ...(scopes ? { scopes: scopes as Scope[] } : {}) };
}
