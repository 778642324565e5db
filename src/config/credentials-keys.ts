import { DEFAULT_CREDENTIALS_KEY_ID } from '../domain/school/state.js';
import { KEY_ID, listOf, type EnvReader } from './env-reader.js';

export interface CredentialsKey {
  id: string;
  key: Buffer;
}

export interface CredentialsKeySettings {
  /**
   * SCS_CREDENTIALS_KEYS (or SCS_CREDENTIALS_KEY as the key `default`): 32-byte keys with ids, the first
   * one active; empty in development: generated.
   */
  credentialsKeys: CredentialsKey[];
}

/** `SCS_CREDENTIALS_KEYS=id:key,id:key` (the first active) or `SCS_CREDENTIALS_KEY=key` (id `default`). */
export function parseCredentialsKeys(read: EnvReader, context: { production: boolean }): CredentialsKeySettings {
  const credentialsKeys = keysOf(read);
  if (credentialsKeys.length === 0 && context.production) {
    read.problem(
      'SCS_CREDENTIALS_KEY (or SCS_CREDENTIALS_KEYS) is required in production: 32 random bytes as hex ' +
        '(`openssl rand -hex 32`); it derives and encrypts the school database passwords',
    );
  }
  return { credentialsKeys };
}

interface KeyEntry {
  id: string;
  raw: string;
  /** How a message names the key: never by its value. */
  name: string;
}

function keysOf(read: EnvReader): CredentialsKey[] {
  const entries = entriesOf(read);
  const keys: CredentialsKey[] = [];
  for (const { id, raw, name } of entries) {
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    const problem = problemOf(id, key, name, keys);
    if (problem) read.problem(problem);
    else keys.push({ id, key });
  }
  return keys;
}

function entriesOf(read: EnvReader): KeyEntry[] {
  const single = read.env.SCS_CREDENTIALS_KEY;
  const listed = listOf(read.env.SCS_CREDENTIALS_KEYS);
  if (single && listed.length > 0) {
    const id = DEFAULT_CREDENTIALS_KEY_ID;
    read.problem(
      `set SCS_CREDENTIALS_KEYS or SCS_CREDENTIALS_KEY, not both (SCS_CREDENTIALS_KEY is the key "${id}": ` +
        `list it as ${id}:<key>)`,
    );
    return [];
  }
  if (single) return [{ id: DEFAULT_CREDENTIALS_KEY_ID, raw: single, name: 'SCS_CREDENTIALS_KEY' }];
  return listed.map((entry) => {
    const id = entry.slice(0, Math.max(entry.indexOf(':'), 0));
    return { id, raw: entry.slice(entry.indexOf(':') + 1), name: `SCS_CREDENTIALS_KEYS key "${id}"` };
  });
}

/** What is wrong with one key, given the keys accepted before it; the message never repeats a key. */
function problemOf(id: string, key: Buffer, name: string, keys: CredentialsKey[]): string | undefined {
  if (!KEY_ID.test(id))
    return 'SCS_CREDENTIALS_KEYS entries must be id:key, the id of a-z, 0-9, - and _ (up to 32 characters)';
  if (key.length !== 32) return `${name} must be 32 bytes, as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`;
  if (keys.some((k) => k.id === id)) return `SCS_CREDENTIALS_KEYS: key id "${id}" appears twice`;
  if (keys.some((k) => k.key.equals(key))) return `SCS_CREDENTIALS_KEYS: key "${id}" is the same key as another id`;
  return undefined;
}
