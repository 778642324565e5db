import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * School database credentials. The password is derived from SCS_CREDENTIALS_KEY and the school id, so
 * a step re-run after a crash sets the same one and no plaintext secret ever needs to be stored or put
 * in an event; the registry keeps it encrypted with AES-256-GCM under the same key.
 */
export class SchoolCredentials {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the credentials key must be 32 bytes');
  }

  roleFor(databaseName: string): string {
    return `${databaseName}_owner`;
  }

  passwordFor(schoolId: string): string {
    return createHmac('sha256', this.key).update(`school-database-password:${schoolId}`).digest('base64url');
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || !ciphertext) throw new Error('not an SCS v1 encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  }
}
