import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Fails at construction rather than at the first certificate: a wrong key length is a configuration error. */
export function checkKey(key: Buffer): Buffer {
  if (!Buffer.isBuffer(key) || key.length !== 32) throw new Error('a sealing key must be 32 bytes (AES-256-GCM)');
  return key;
}

/** AES-256-GCM with a random IV per value: `version | iv | tag | ciphertext`. */
export function seal(key: Buffer, plaintext: string | Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the value was altered or sealed with another key (GCM's tag does not verify). */
export function unseal(key: Buffer, sealed: Buffer): Buffer {
  if (sealed[0] !== VERSION) throw new Error(`unknown sealed-value version ${sealed[0]}`);
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Tries each key in turn (the active credentials key first, then older ones still listed); says which opened it. */
export function unsealWithAny(keys: Buffer[], sealed: Buffer): { plaintext: Buffer; keyIndex: number } {
  for (const [keyIndex, key] of keys.slice(0, -1).entries()) {
    try {
      return { plaintext: unseal(key, sealed), keyIndex };
    } catch {
      /* sealed with another key */
    }
  }
  return { plaintext: unseal(keys[keys.length - 1], sealed), keyIndex: keys.length - 1 };
}
