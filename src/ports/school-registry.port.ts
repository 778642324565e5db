import type { RegistryDetails } from '../domain/school/details.js';

/** The central registry row other Syncad apps read to find a school. */
export interface RegistryEntry {
  schoolId: string;
  slug: string;
  name: string;
  databaseName: string;
  /** The tenant server the database is on: where the school apps connect. */
  server?: string;
  subdomain: string;
  district: string;
  board: string;
  adminEmail: string;
  /** The school database's owner role, and its password sealed with a credentials key (named in it). */
  databaseRole?: string;
  databasePasswordEncrypted?: string;
}

export interface SchoolRegistry {
  register(entry: RegistryEntry): Promise<{ alreadyRegistered: boolean }>;
  unregister(schoolId: string): Promise<{ existed: boolean }>;
  find(schoolId: string): Promise<RegistryEntry | undefined>;
  list(): Promise<RegistryEntry[]>;
  /** Writes the school's details into its row (`updated: false` when there is no row: a teardown). */
  updateDetails(schoolId: string, details: RegistryDetails): Promise<{ updated: boolean }>;
  /** Points the row at the tenant server the school's database is on now (a move's switch). */
  setServer(schoolId: string, server: string): Promise<{ updated: boolean }>;
  /**
   * Sets the registered role's password and the row's sealed copy of it in one transaction, for a school
   * whose tenant server is the central database's server (the role and the registry on one server), so an
   * app reading the row never gets a password the role does not have. `replaced: false` when the row or
   * the role is gone (the school is being torn down).
   */
  replaceCredentials(
    schoolId: string,
    credentials: { role: string; password: string; sealed: string },
  ): Promise<{ replaced: boolean }>;
  /**
   * Replaces the row's sealed copy of its role's password (the role itself lives on the school's tenant
   * server and is changed there first). `replaced: false` when the row is gone (a teardown).
   */
  replaceSealedPassword(
    schoolId: string,
    credentials: { role: string; sealed: string },
  ): Promise<{ replaced: boolean }>;
}

export const SCHOOL_REGISTRY = Symbol('SchoolRegistry');
