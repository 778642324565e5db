import type { DnsRecord, DnsRecordType } from './dns.port.js';

/**
 * Which DNS records are SCS's, the way external-dns marks its own: every record SCS makes has a TXT
 * record beside it, `_scs-owner.<name>`, naming the SCS instance (`SCS_OWNER_ID`), the school and the
 * record's type. A CNAME may have no other data at its name, so the mark sits one label below.
 * SCS changes or deletes a record only when its mark names this instance; everything else is foreign.
 */
const OWNERSHIP_LABEL = '_scs-owner';

export interface DnsOwnership {
  /** The SCS instance that made the record (`SCS_OWNER_ID`). */
  owner: string;
  schoolId: string;
  type: DnsRecordType;
}

export function ownershipName(name: string): string {
  return `${OWNERSHIP_LABEL}.${name}`;
}

/** The name an ownership record marks, or undefined for any other name. */
function markedName(name: string): string | undefined {
  return name.startsWith(`${OWNERSHIP_LABEL}.`) ? name.slice(OWNERSHIP_LABEL.length + 1) : undefined;
}

export function ownershipRecord(record: DnsRecord, owner: string, schoolId: string): DnsRecord {
  const value = `heritage=scs,scs/owner=${owner},scs/school=${schoolId},scs/type=${record.type}`;
  return { name: ownershipName(record.name), type: 'TXT', value, ttl: record.ttl };
}

/** The mark in an ownership record's value, or undefined when the value is not one. */
function parseOwnership(value: string): DnsOwnership | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const [owner, schoolId, type] = [fields.get('scs/owner'), fields.get('scs/school'), fields.get('scs/type')];
  if (fields.get('heritage') !== 'scs' || !owner || !schoolId || !type) return undefined;
  if (type !== 'A' && type !== 'CNAME' && type !== 'TXT') return undefined;
  return { owner, schoolId, type };
}

/** The marks among `records`, by the name each marks. */
export function ownershipByName(records: readonly DnsRecord[]): Map<string, DnsOwnership> {
  const marks = new Map<string, DnsOwnership>();
  for (const record of records) {
    const marked = record.type === 'TXT' ? markedName(record.name) : undefined;
    const mark = marked === undefined ? undefined : parseOwnership(record.value);
    if (marked !== undefined && mark) marks.set(marked, mark);
  }
  return marks;
}

export function isAtOrUnder(candidate: string, name: string): boolean {
  return candidate === name || candidate.endsWith(`.${name}`);
}

/**
 * The records at `name` or under it that stand in the way of SCS's instance `owner` making `name` for
 * `schoolId`: every record there, unless `name` carries this instance's mark for this school (then the
 * name is the school's, and what lies under it is the school's too: its mark, its certificate's
 * validation records). An empty answer means the name may be written.
 */
export function foreignRecords(
  name: string,
  recordsAtOrUnder: readonly DnsRecord[],
  owner: string,
  schoolId: string,
): DnsRecord[] {
  const here = recordsAtOrUnder.filter((r) => isAtOrUnder(r.name, name));
  return ownedBy(name, here, owner, schoolId) ? [] : here;
}

/** Whether `name` carries this instance's mark for the school, among the records at or under it. */
export function ownedBy(
  name: string,
  recordsAtOrUnder: readonly DnsRecord[],
  owner: string,
  schoolId: string,
): boolean {
  const mark = ownershipByName(recordsAtOrUnder).get(name);
  return !!mark && mark.owner === owner && mark.schoolId === schoolId;
}
