import { StepError } from './step-error.js';

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

/**
 * A name SCS may not write: it, or a name under it, holds records this SCS instance does not own for
 * the school (another team's, or another SCS instance's). Permanent: waiting does not make it ours.
 */
export class DnsNameTakenError extends StepError {
  constructor(
    readonly dnsName: string,
    readonly records: DnsRecord[],
  ) {
    super(
      `${dnsName} is taken in DNS by records SCS does not own: ${records.map((r) => `${r.name} ${r.type} ${r.value}`).join(', ')}`,
      true,
    );
    this.name = 'DnsNameTakenError';
  }
}

/** What `release` did: `owned: false` when a record is there but is not this instance's (left as it is). */
export interface DnsRelease extends DnsChange {
  existed: boolean;
  owned: boolean;
}

/**
 * A zone SCS shares with others. SCS writes only records it owns: each with its ownership record
 * beside it (`ports/dns-ownership.ts`), naming the SCS instance the adapter was made for.
 */
export interface DnsProvider {
  readonly name: string;
  /** The SCS instance whose records this adapter writes (`SCS_OWNER_ID`). */
  readonly owner: string;
  /**
   * Creates or updates `record` as the school's, with its ownership record, in one change. Refuses with
   * DnsNameTakenError when the name or a name under it holds records not owned by this instance for
   * this school. Idempotent.
   */
  claim(record: DnsRecord, schoolId: string): Promise<DnsChange>;
  /**
   * Deletes the record set `name`/`type` and its ownership record when they are this instance's for
   * the school; a record owned by anyone else is left alone (`owned: false`); a record already gone is
   * success (`existed: false`).
   */
  release(name: string, type: DnsRecordType, schoolId: string): Promise<DnsRelease>;
  /** Writes only the ownership record beside an existing record made before ownership (`reconcile --adopt`). */
  adopt(record: DnsRecord, schoolId: string): Promise<DnsChange>;
  /**
   * Creates or replaces a short-lived record with no ownership record of its own, under a name this
   * instance owns (an ACME DNS-01 challenge). Idempotent.
   */
  upsert(record: DnsRecord): Promise<DnsChange>;
  /** Deletes a record written by `upsert`; a record already gone is success (`existed: false`). */
  remove(name: string, type: DnsRecordType): Promise<DnsChange & { existed: boolean }>;
  /** The records at `name` and under it. */
  recordsAt(name: string): Promise<DnsRecord[]>;
  /** Records in the zone SCS writes to (for the reconciler and tests), ownership records included. */
  list(): Promise<DnsRecord[]>;
}

export const DNS_PROVIDER = Symbol('DnsProvider');
