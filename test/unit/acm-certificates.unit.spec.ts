import {
  ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { foreignRecords, isAtOrUnder, ownedBy, ownershipName, ownershipRecord } from '../../src/ports/dns-ownership.js';
import { DnsNameTakenError, type DnsProvider, type DnsRecord } from '../../src/ports/dns.port.js';
import { AcmCertificateProvider } from '../../src/adapters/certificates/acm/acm-certificates.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const ARN = 'arn:aws:acm:ap-south-1:123456789012:certificate/abc';
const VALIDATION = { Name: '_x1.greenwood.syncad.in.', Type: 'CNAME' as const, Value: '_y1.acm-validations.aws.' };
const awsError = (name: string) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });

/** The DNS port in memory, marks included: a fake of a port, not of our database. */
function memoryDns(): DnsProvider & { records: Map<string, DnsRecord> } {
  const records = new Map<string, DnsRecord>();
  const owner = 'scs-test';
  const key = (name: string, type: string) => `${name} ${type}`;
  const at = async (name: string) => [...records.values()].filter((r) => isAtOrUnder(r.name, name));
  return {
    name: 'memory',
    owner,
    records,
    claim: async (r, schoolId) => {
      const foreign = foreignRecords(r.name, await at(r.name), owner, schoolId);
      if (foreign.length > 0) throw new DnsNameTakenError(r.name, foreign);
      for (const each of [ownershipRecord(r, owner, schoolId), r]) records.set(key(each.name, each.type), each);
      return { reference: 'm' };
    },
    release: async (name, type, schoolId) => {
      const existed = records.has(key(name, type));
      if (!ownedBy(name, await at(name), owner, schoolId)) return { existed, owned: !existed, reference: 'm' };
      records.delete(key(name, type));
      records.delete(key(ownershipName(name), 'TXT'));
      return { existed, owned: true, reference: 'm' };
    },
    adopt: async (r, schoolId) => {
      const mark = ownershipRecord(r, owner, schoolId);
      records.set(key(mark.name, mark.type), mark);
      return { reference: 'm' };
    },
    upsert: async (r) => {
      records.set(key(r.name, r.type), r);
      return { reference: 'm' };
    },
    remove: async (name, type) => ({ existed: records.delete(key(name, type)), reference: 'm' }),
    recordsAt: at,
    list: async () => [...records.values()],
  };
}

describe('AcmCertificateProvider at the SDK boundary', () => {
  const acm = mockClient(ACMClient);
  let dns: ReturnType<typeof memoryDns>;
  const provider = (deadlineMs = 60_000) =>
    new AcmCertificateProvider({
      client: new ACMClient({ region: 'ap-south-1', maxAttempts: 1 }),
      dns,
      deadlineMs,
      pollMs: 1,
      sleep: async () => undefined,
    });

  beforeEach(() => {
    acm.reset();
    dns = memoryDns();
  });

  it('requests with the school id as idempotency token and tag, writes the validation CNAME, and waits for ISSUED', async () => {
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm
      .on(DescribeCertificateCommand)
      .resolvesOnce({
        Certificate: { Status: 'PENDING_VALIDATION', DomainValidationOptions: [{ DomainName: 'greenwood.syncad.in' }] },
      })
      .resolvesOnce({
        Certificate: {
          Status: 'PENDING_VALIDATION',
          DomainValidationOptions: [{ DomainName: 'greenwood.syncad.in', ResourceRecord: VALIDATION }],
        },
      })
      .resolves({
        Certificate: {
          Status: 'ISSUED',
          DomainName: 'greenwood.syncad.in',
          Serial: '0a:1b:2c',
          Issuer: 'Amazon',
          NotBefore: new Date('2026-11-24T00:00:00Z'),
          NotAfter: new Date('2027-12-24T00:00:00Z'),
        },
      });
    const cert = await provider().issue({ schoolId: SCHOOL, domain: 'greenwood.syncad.in' });
    expect(cert).toEqual({
      reference: ARN,
      serialNumber: '0a1b2c',
      domain: 'greenwood.syncad.in',
      issuer: 'Amazon',
      notBefore: '2026-11-24T00:00:00.000Z',
      notAfter: '2027-12-24T00:00:00.000Z',
    });
    expect(acm.commandCalls(RequestCertificateCommand)[0].args[0].input).toEqual({
      DomainName: 'greenwood.syncad.in',
      ValidationMethod: 'DNS',
      IdempotencyToken: '7d2f3a649a414c2e9a575a0c1b2d3e4f',
      Tags: [
        { Key: 'scs:school-id', Value: SCHOOL },
        { Key: 'scs:owner', Value: 'scs-test' },
      ],
    });
    // The validation record is written as the school's: marked with this instance and the school.
    expect([...dns.records.values()]).toEqual([
      {
        name: '_scs-owner._x1.greenwood.syncad.in',
        type: 'TXT',
        value: `heritage=scs,scs/owner=scs-test,scs/school=${SCHOOL},scs/type=CNAME`,
        ttl: 300,
      },
      { name: '_x1.greenwood.syncad.in', type: 'CNAME', value: '_y1.acm-validations.aws', ttl: 300 },
    ]);
  });

  it("fails permanently when validation fails, with ACM's reason", async () => {
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'FAILED', FailureReason: 'CAA_ERROR' } });
    await expect(provider().issue({ schoolId: SCHOOL, domain: 'greenwood.syncad.in' })).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/FAILED: CAA_ERROR/),
    });
  });

  it('fails transiently when validation is still pending at the deadline', async () => {
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'PENDING_VALIDATION' } });
    await expect(provider(-1).issue({ schoolId: SCHOOL, domain: 'greenwood.syncad.in' })).rejects.toMatchObject({
      permanent: false,
      message: expect.stringMatching(/still pending/),
    });
  });

  it('deletes the certificate and its validation record on teardown, and never a validation record not its own', async () => {
    const record = { name: '_x1.greenwood.syncad.in', type: 'CNAME' as const, value: 'v', ttl: 300 };
    await dns.claim(record, SCHOOL);
    const foreign = { name: '_x1.oakridge.syncad.in', type: 'CNAME' as const, value: 'theirs', ttl: 300 };
    dns.records.set('_x1.oakridge.syncad.in CNAME', foreign);
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        Status: 'ISSUED',
        DomainValidationOptions: [{ DomainName: 'greenwood.syncad.in', ResourceRecord: VALIDATION }],
      },
    });
    acm.on(DeleteCertificateCommand).resolves({});
    expect(await provider().revoke({ schoolId: SCHOOL, domain: 'greenwood.syncad.in', reference: ARN })).toEqual({
      revoked: true,
      reference: ARN,
    });
    expect(acm.commandCalls(DeleteCertificateCommand)[0].args[0].input).toEqual({ CertificateArn: ARN });
    expect([...dns.records.values()]).toEqual([foreign]);
    // Another school's certificate whose validation record is not SCS's: the certificate goes, the record stays.
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        Status: 'ISSUED',
        DomainValidationOptions: [
          { DomainName: 'oakridge.syncad.in', ResourceRecord: { ...VALIDATION, Name: '_x1.oakridge.syncad.in.' } },
        ],
      },
    });
    await provider().revoke({ schoolId: SCHOOL, domain: 'oakridge.syncad.in', reference: ARN });
    expect([...dns.records.values()]).toEqual([foreign]);
  });

  it('finds the certificate by its tag when the reference is missing, and reports one already gone', async () => {
    acm
      .on(ListCertificatesCommand)
      .resolves({ CertificateSummaryList: [{ CertificateArn: ARN, DomainName: 'greenwood.syncad.in' }] });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: 'scs:school-id', Value: SCHOOL }] });
    acm.on(DescribeCertificateCommand).rejects(awsError('ResourceNotFoundException'));
    expect(await provider().revoke({ schoolId: SCHOOL, domain: 'greenwood.syncad.in' })).toEqual({ revoked: false });
    expect(acm.commandCalls(DescribeCertificateCommand)[0].args[0].input).toEqual({ CertificateArn: ARN });
  });

  it('waits (transiently) while the certificate is still attached to a load balancer', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Status: 'ISSUED' } });
    acm.on(DeleteCertificateCommand).rejects(awsError('ResourceInUseException'));
    await expect(
      provider().revoke({ schoolId: SCHOOL, domain: 'greenwood.syncad.in', reference: ARN }),
    ).rejects.toMatchObject({ permanent: false, message: expect.stringMatching(/load balancer/) });
  });
});
