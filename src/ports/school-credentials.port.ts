import type { CredentialsRef } from '../domain/school/state.js';

/** The owner role and password of each school database: passwords derived under keys with ids, sealed. */
export interface SchoolCredentialsPort {
  /** The key new passwords and sealed values are made with. */
  readonly activeKeyId: string;
  /** Every key that can still be read (the active one first). */
  readonly keyIds: readonly string[];
  roleFor(databaseName: string): string;
  /** The password made with `ref`; without one, the one made before key ids existed. */
  passwordFor(schoolId: string, ref?: CredentialsRef): string;
  /** Sealed with the active key; the sealed value names its key id. */
  encrypt(plaintext: string): string;
}

export const SCHOOL_CREDENTIALS = Symbol('SchoolCredentials');
