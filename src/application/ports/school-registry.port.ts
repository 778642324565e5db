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
  /** Points the row at the tenant server the school's database is on now (a move's switch). */
  setServer(schoolId: string, server: string): Promise<{ updated: boolean }>;
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
