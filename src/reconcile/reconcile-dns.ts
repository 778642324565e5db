import type { SchoolState } from '../domain/school/state.js';
import { ownedResources, type OwnedResource } from '../domain/school/steps/index.js';
import { ownershipByName, ownershipName } from '../ports/dns-ownership.js';
import type { DnsProvider, DnsRecord } from '../ports/dns.port.js';
import type { Finding, Sweep } from './findings.js';

export interface Adoption {
  finding: Finding;
  record: DnsRecord;
  schoolId: string;
}

const ownedDns = (school: SchoolState) => ownedResources(school).filter((r) => r.kind === 'dns');

/**
 * What a school accounts for: the records its steps own while its events say they are there (from each
 * step's `owns`), and the rest marked as its own (its certificate's validation records) while it has a
 * certificate.
 */
function accountedDns(sweep: Sweep, name: string, schoolId: string): boolean {
  const school = sweep.schools.get(schoolId);
  if (!school) return false;
  if (ownedDns(school).some((owned) => owned.name === name)) return true;
  const ownable = name === school.subdomain;
  return !ownable && !!school.resources.certificate;
}

/**
 * The zone's records against the schools' events: one of this instance's that its school does not account
 * for is an orphan (released by `--fix`); one without a mark, or another instance's, is foreign, and
 * adoptable when a school's events name it (made before ownership marks). Returns the adoptions.
 */
export function compareDns(sweep: Sweep, dns: DnsProvider, zone: string, records: DnsRecord[]): Adoption[] {
  const inZone = records.filter((r) => r.name.endsWith(`.${zone.toLowerCase()}`));
  const marks = ownershipByName(inZone);
  const byName = ownersByName(sweep.schools.values());
  const adoptions: Adoption[] = [];
  for (const record of inZone.filter((r) => r.type !== 'TXT')) {
    const mark = marks.get(record.name);
    if (mark?.owner === dns.owner) {
      const accounted = accountedDns(sweep, record.name, mark.schoolId);
      sweep.consider('dns', `${record.name} ${record.type}`, mark.schoolId, accounted, () =>
        dns.release(record.name, record.type, mark.schoolId),
      );
      continue;
    }
    const adoption = foreign(sweep, record, mark?.owner, dns.owner, byName.get(record.name));
    if (adoption) adoptions.push(adoption);
  }
  // A mark of ours whose record is gone (someone deleted the record by hand).
  const named = new Set(inZone.filter((r) => r.type !== 'TXT').map((r) => r.name));
  for (const [name, mark] of marks) {
    if (mark.owner !== dns.owner || named.has(name)) continue;
    sweep.consider('dns', `${ownershipName(name)} TXT`, mark.schoolId, accountedDns(sweep, name, mark.schoolId), () =>
      dns.release(name, mark.type, mark.schoolId),
    );
  }
  return adoptions;
}

/** Reports a record that is not this instance's; one a school's events name can be adopted. */
function foreign(
  sweep: Sweep,
  record: DnsRecord,
  markedBy: string | undefined,
  owner: string,
  legacy: { school: SchoolState; owned: OwnedResource } | undefined,
): Adoption | undefined {
  const adoptable = !markedBy && !!legacy && legacy.owned.recordType === record.type;
  const detail = markedBy
    ? `owned by the SCS instance "${markedBy}", not this one ("${owner}"): left alone`
    : adoptable
      ? `made before ownership records, and school ${legacy.school.id}'s events name it: \`reconcile --adopt\` marks it as SCS's`
      : 'not made by SCS (no ownership record): left alone';
  const finding: Finding = { kind: 'foreign', resource: 'dns', name: `${record.name} ${record.type}`, detail };
  sweep.findings.push(finding);
  if (!adoptable) return undefined;
  finding.schoolId = legacy.school.id;
  return { finding, record, schoolId: legacy.school.id };
}

/** Each DNS name a school's steps own, with the school. */
function ownersByName(schools: Iterable<SchoolState>) {
  const byName = new Map<string, { school: SchoolState; owned: OwnedResource }>();
  for (const school of schools) for (const owned of ownedDns(school)) byName.set(owned.name, { school, owned });
  return byName;
}

/** A settled school's owned records its events say exist but the zone does not have. */
export function dnsDrift(school: SchoolState, realNames: Set<string>): Finding[] {
  return ownedDns(school)
    .filter((owned) => !realNames.has(owned.name))
    .map((owned) => ({
      kind: 'drift',
      resource: 'dns',
      name: owned.name,
      schoolId: school.id,
      detail: 'the events say the record exists, the zone does not have it',
    }));
}
