/** The central registry row other Syncad apps read to find a school. */
export interface RegistryEntry {
  schoolId: string;
  slug: string;
  name: string;
  databaseName: string;
  subdomain: string;
  district: string;
  board: string;
  adminEmail: string;
  /** The school database's owner role, and its password sealed with SCS_CREDENTIALS_KEY. */
  databaseRole?: string;
  databasePasswordEncrypted?: string;
}

export interface SchoolRegistry {
  register(entry: RegistryEntry): Promise<{ alreadyRegistered: boolean }>;
  unregister(schoolId: string): Promise<{ existed: boolean }>;
  find(schoolId: string): Promise<RegistryEntry | undefined>;
  list(): Promise<RegistryEntry[]>;
}

export const SCHOOL_REGISTRY = Symbol('SchoolRegistry');
