/** What a school app needs to connect to its database, and nothing more (no credentials key). */
export interface SchoolConnection {
  schoolId: string;
  /** The tenant server's name (SCS_TENANT_SERVERS), and its host and port as SCS reaches it. */
  server: string;
  host: string;
  port: number;
  database: string;
  role: string;
  password: string;
}

/** The school a delivery is for: named by its slug where the delivery names things (files), else its id. */
export interface SchoolToDeliver {
  id: string;
  slug: string;
}

export interface CredentialsDelivered {
  /** Where they are now (a file, a secret's name); absent with `api`. */
  location?: string;
}

export interface CredentialsWithdrawn {
  location?: string;
  /** False when nothing was there. */
  existed: boolean;
}

/**
 * Credentials found where this delivery puts them (for the reconciler). `owner`: the SCS instance that marked
 * them (SCS_OWNER_ID; absent when unmarked: not SCS's); `school`: the school marked, with what `withdraw`
 * needs to take them away.
 */
export interface DeliveredCredentials {
  location: string;
  owner?: string;
  school?: SchoolToDeliver;
}

/**
 * SCS_CREDENTIALS_DELIVERY: where a school app gets its database connection without SCS's credentials key
 * (`api`: only `GET /school/:id/credentials`, nothing is put anywhere; `files`: a 0600 env file per school;
 * `aws-secrets-manager`: one secret per school).
 * Delivered when the school is registered and again after each rotation of its password, withdrawn when it
 * is unregistered. Every call is idempotent.
 */
export interface CredentialsDelivery {
  readonly name: 'api' | 'files' | 'aws-secrets-manager';
  deliver(school: SchoolToDeliver, connection: SchoolConnection): Promise<CredentialsDelivered>;
  /** Takes the school's delivered credentials away; already gone is success (`existed: false`). */
  withdraw(school: SchoolToDeliver): Promise<CredentialsWithdrawn>;
  /** Every delivery found where this one delivers, marked or not. */
  listDelivered(): Promise<DeliveredCredentials[]>;
}

export const CREDENTIALS_DELIVERY = Symbol('CredentialsDelivery');

/** `api` (the default): the API answers `GET /school/:id/credentials`; nothing is delivered anywhere. */
export class ApiCredentialsDelivery implements CredentialsDelivery {
  readonly name = 'api';
  async deliver(): Promise<CredentialsDelivered> {
    return {};
  }
  async withdraw(): Promise<CredentialsWithdrawn> {
    return { existed: false };
  }
  async listDelivered(): Promise<DeliveredCredentials[]> {
    return [];
  }
}
