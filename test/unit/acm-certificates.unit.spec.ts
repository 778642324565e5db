import {
  ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import type { DnsProvider, DnsRecord } from '../../src/application/ports/dns.port.js';
import { AcmCertificateProvider } from '../../src/infrastructure/certificates/acm/acm-certificates.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const ARN = 'arn:aws:acm:ap-south-1:123456789012:certificate/abc';
const VALIDATION = { Name: '_x1.greenwood.syncad.in.', Type: 'CNAME' as const, Value: '_y1.acm-validations.aws.' };
const awsError = (name: string) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });

/** The DNS port in memory: a fake of a port, not of our database. */
function memoryDns(): DnsProvider & { records: Map<string, DnsRecord> } {
  const records = new Map<string, DnsRecord>();
  return {
    name: 'memory',
    records,
    upsert: async (r) => {
      records.set(`${r.name} ${r.type}`, r);
      return { reference: 'm' };
    },
    remove: async (name, type) => ({ existed: records.delete(`${name} ${type}`), reference: 'm' }),
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
      Tags: [{ Key: 'scs:school-id', Value: SCHOOL }],
    });
    expect([...dns.records.values()]).toEqual([
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

  it('deletes the certificate and its validation record on teardown', async () => {
    dns.records.set('_x1.greenwood.syncad.in CNAME', {
      name: '_x1.greenwood.syncad.in',
      type: 'CNAME',
      value: 'v',
      ttl: 300,
    });
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
    expect(dns.records.size).toBe(0);
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
