export type DnsRecordType = 'A' | 'CNAME' | 'TXT';

export interface DnsRecord {
  /** Fully qualified, lowercase, without the trailing dot: `greenwood.syncad.in`. */
  name: string;
  type: DnsRecordType;
  value: string;
  ttl: number;
}

export interface DnsChange {
  /** The provider's reference for the audit trail (a Route53 change id, a PowerDNS serial, …). */
  reference: string;
}

export interface DnsProvider {
  readonly name: string;
  /** Creates or replaces the record set `name`/`type` with this one value. Idempotent. */
  upsert(record: DnsRecord): Promise<DnsChange>;
  /** Deletes the record set `name`/`type`; a record already gone is success (`existed: false`). */
  remove(name: string, type: DnsRecordType): Promise<DnsChange & { existed: boolean }>;
  /** Records in the zone SCS writes to (for the reconciler and tests). */
  list(): Promise<DnsRecord[]>;
}

export const DNS_PROVIDER = Symbol('DnsProvider');
