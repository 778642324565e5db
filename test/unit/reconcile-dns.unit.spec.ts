import { ownershipRecord } from '../../src/ports/dns-ownership.js';
import type { DnsProvider, DnsRecord } from '../../src/ports/dns.port.js';
import { Sweep } from '../../src/reconcile/findings.js';
import { compareDns } from '../../src/reconcile/reconcile-dns.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { LATER, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const ZONE = 'syncad.in';
const OWNER = 'scs-test';
const dns = { owner: OWNER, release: async () => ({}) } as unknown as DnsProvider;
const a = (name: string): DnsRecord => ({ name, type: 'A', value: '127.0.0.1', ttl: 300 });
const marked = (record: DnsRecord, owner = OWNER): DnsRecord[] => [record, ownershipRecord(record, owner, SCHOOL_ID)];
const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };

function sweepOf(events: SchoolEvent[]): Sweep {
  return new Sweep(new Map([[SCHOOL_ID, fold(events)!]]));
}

describe('reconcile: DNS records against what the steps own', () => {
  it('accounts a marked record at a name a step of the school owns to the school', () => {
    const sweep = sweepOf(provisionedSchool());
    compareDns(sweep, dns, ZONE, marked(a('greenwood.syncad.in')));
    expect(sweep.findings).toEqual([]);
  });

  it('takes the record of a school whose step was undone for an orphan', () => {
    const deleted: SchoolEvent[] = [
      ...provisionedSchool(),
      { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } },
      {
        type: 'DnsRecordDeleted',
        data: {
          ...run,
          provider: 'local',
          name: 'greenwood.syncad.in',
          recordType: 'A',
          existed: true,
          reference: 'r',
        },
      },
      { type: 'CertificateRevoked', data: { ...run, provider: 'local', revoked: true } },
      { type: 'SchoolDeleted', data: { deletedAt: LATER } },
    ];
    const sweep = sweepOf(deleted);
    compareDns(sweep, dns, ZONE, marked(a('greenwood.syncad.in')));
    expect(sweep.findings).toMatchObject([
      { kind: 'orphan', resource: 'dns', name: 'greenwood.syncad.in A', schoolId: SCHOOL_ID },
    ]);
  });

  it("leaves another instance's record and an unmarked one alone, as foreign", () => {
    const sweep = sweepOf(provisionedSchool());
    compareDns(sweep, dns, ZONE, [...marked(a('greenwood.syncad.in'), 'other'), a('www.syncad.in')]);
    expect(sweep.findings.map((f) => [f.kind, f.name])).toEqual([
      ['foreign', 'greenwood.syncad.in A'],
      ['foreign', 'www.syncad.in A'],
    ]);
    expect(sweep.removals.size).toBe(0);
  });
});
