import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { DEFAULT_CREDENTIALS_KEY_ID, type CredentialsRef } from '../../domain/school/state.js';
import type { CredentialsKey } from '../../config/config.js';

interface DerivedKey {
  id: string;
  /** The configured key itself: only for values made before key ids (`v1:` ciphertexts, legacy passwords). */
  raw: Buffer;
  password: Buffer;
  encryption: Buffer;
  /** For other secrets sealed at rest (the ACME provider's keys). */
  sealing: Buffer;
}

/** One subkey per job (RFC 5869), so no key serves two primitives. */
function subkey(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, 'scs-credentials-key', `scs/${purpose}/v1`, 32));
}

/**
 * School database credentials under a ring of keys with ids (SCS_CREDENTIALS_KEYS, the first one active).
 * HKDF derives a password subkey and an encryption subkey from each key. A password is
 * HMAC(password subkey, school id, generation): a step re-run after a crash sets the same one, and no
 * plaintext password is ever stored or put in an event; the events record the key id and generation it
 * was made with. The registry keeps it sealed with AES-256-GCM under the active key's encryption
 * subkey, as `v2:<key id>:<iv>:<tag>:<ciphertext>` (the key id is also authenticated data). Every listed
 * key stays readable; values made before key ids (`v1:`, sealed and derived with the raw key) too.
 */
export class SchoolCredentials {
  private readonly keys: DerivedKey[];

  constructor(keys: CredentialsKey[]) {
    if (keys.length === 0) throw new Error('at least one credentials key is needed');
    this.keys = keys.map(({ id, key }) => {
      if (key.length !== 32) throw new Error(`the credentials key "${id}" must be 32 bytes`);
      return {
        id,
        raw: key,
        password: subkey(key, 'school-database-password'),
        encryption: subkey(key, 'registry-encryption'),
        sealing: subkey(key, 'sealed-at-rest'),
      };
    });
  }

  get activeKeyId(): string {
    return this.keys[0].id;
  }

  get keyIds(): string[] {
    return this.keys.map((k) => k.id);
  }

  roleFor(databaseName: string): string {
    return `${databaseName}_owner`;
  }

  /** The password of the school's role as made with `ref`; without one, as made before key ids existed. */
  passwordFor(schoolId: string, ref?: CredentialsRef): string {
    if (!ref)
      return createHmac('sha256', this.legacyKey()).update(`school-database-password:${schoolId}`).digest('base64url');
    const input = `school-database-password:${schoolId}:${ref.generation}`;
    return createHmac('sha256', this.key(ref.keyId).password).update(input).digest('base64url');
  }

  /** Sealed with the active key. */
  encrypt(plaintext: string): string {
    const { id, encryption } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', encryption, iv).setAAD(Buffer.from(id));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64'));
    return ['v2', id, ...parts].join(':');
  }

  /** The key id a sealed value was made with (`legacy` for `v1:` values). */
  keyIdOf(sealed: string): string {
    const [version, id] = sealed.split(':');
    return version === 'v1' ? 'legacy' : id;
  }

  decrypt(sealed: string): string {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, id, iv, tag, ciphertext] = parts;
      return open(this.key(id).encryption, Buffer.from(id), iv, tag, ciphertext);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      // Sealed with one of the raw keys, before key ids: GCM's tag tells which.
      for (const { raw } of this.keys) {
        try {
          return open(raw, undefined, parts[1], parts[2], parts[3]);
        } catch {
          /* another key */
        }
      }
      throw new Error('no listed credentials key opens this v1 value');
    }
    throw new Error('not an SCS encrypted value (v1 or v2)');
  }

  /** Sealing keys for other secrets at rest: the active one first, then the others, then the raw keys. */
  sealingKeys(): Buffer[] {
    return [...this.keys.map((k) => k.sealing), ...this.keys.map((k) => k.raw)];
  }

  private key(id: string): DerivedKey {
    const key = this.keys.find((k) => k.id === id);
    if (!key) throw new Error(`credentials key "${id}" is not listed in SCS_CREDENTIALS_KEYS`);
    return key;
  }

  /** Before key ids there was one key, SCS_CREDENTIALS_KEY: the key `default`. */
  private legacyKey(): Buffer {
    return this.key(DEFAULT_CREDENTIALS_KEY_ID).raw;
  }
}

function open(key: Buffer, aad: Buffer | undefined, iv: string, tag: string, ciphertext: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
}
