/** The records school events carry beside their own fields. */

/** Where a school's DNS record was pointed (a suspension, a resumption), with the provider's reference. */
export interface DnsPointing {
  provider: string;
  name: string;
  recordType: string;
  value: string;
  reference: string;
}

/** A teardown's final archive of the school database (`DatabaseDropped.archive`), which a restore loads. */
export interface ArchiveRecord {
  location: string;
  format: string;
  bytes: number;
  sha256: string;
  rows?: number;
}

/** What a restore loaded: the archive, the schema version it was at, and the rows and sequences set. */
export interface RestoredArchive {
  location: string;
  format: string;
  sha256: string;
  schemaVersion: string | null;
  tables: number;
  rows: number;
  sequences: number;
}

/** Where SCS_CREDENTIALS_DELIVERY put the school's connection (absent with `api`, and in events before it). */
export interface CredentialsDeliveryRecord {
  delivery: 'files' | 'aws-secrets-manager';
  location?: string;
}

/** The delivered connection taken away on unregistering (`existed: false`: nothing was there). */
export interface CredentialsWithdrawalRecord extends CredentialsDeliveryRecord {
  existed: boolean;
}
