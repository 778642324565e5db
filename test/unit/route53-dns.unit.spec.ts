import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { Route53DnsProvider } from '../../src/infrastructure/dns/route53/route53-dns.js';

const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('Route53DnsProvider at the SDK boundary', () => {
  const route53 = mockClient(Route53Client);
  const sleeps: number[] = [];
  const provider = () =>
    new Route53DnsProvider({
      client: new Route53Client({ region: 'us-east-1', maxAttempts: 1 }),
      hostedZoneId: 'Z0123456789',
      zone: 'syncad.in',
      waitForSync: { timeoutMs: 1000, pollMs: 10 },
      retry: { attempts: 3, baseDelayMs: 100 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  beforeEach(() => {
    route53.reset();
    sleeps.length = 0;
  });

  it('UPSERTs the A record and waits for INSYNC', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    route53
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } })
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    const change = await provider().upsert({ name: 'Greenwood.syncad.in', type: 'A', value: '203.0.113.10', ttl: 300 });
    expect(change).toEqual({ reference: '/change/C1' });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z0123456789',
      ChangeBatch: {
        Comment: 'SCS',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'greenwood.syncad.in.',
              Type: 'A',
              TTL: 300,
              ResourceRecords: [{ Value: '203.0.113.10' }],
            },
          },
        ],
      },
    });
    expect(route53.commandCalls(GetChangeCommand).map((c) => c.args[0].input)).toEqual([
      { Id: '/change/C1' },
      { Id: '/change/C1' },
    ]);
  });

  it('quotes TXT values and ends CNAME targets with a dot', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: 'C2', Status: 'INSYNC', SubmittedAt: new Date() } });
    await provider().upsert({ name: '_acme-challenge.greenwood.syncad.in', type: 'TXT', value: 'say "hi"', ttl: 60 });
    await provider().upsert({ name: 'greenwood.syncad.in', type: 'CNAME', value: 'lb.syncad.in', ttl: 300 });
    const sets = route53
      .commandCalls(ChangeResourceRecordSetsCommand)
      .map((c) => c.args[0].input.ChangeBatch!.Changes![0].ResourceRecordSet!.ResourceRecords);
    expect(sets).toEqual([[{ Value: '"say \\"hi\\""' }], [{ Value: 'lb.syncad.in.' }]]);
  });

  it('retries throttling with backoff, then succeeds', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(awsError('Throttling', 400))
      .rejectsOnce(awsError('PriorRequestNotComplete', 400))
      .resolves({ ChangeInfo: { Id: 'C3', Status: 'INSYNC', SubmittedAt: new Date() } });
    expect(await provider().upsert({ name: 'a.syncad.in', type: 'A', value: '203.0.113.1', ttl: 300 })).toEqual({
      reference: 'C3',
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('gives up on throttling after its attempts as a transient failure', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(awsError('Throttling', 400));
    await expect(
      provider().upsert({ name: 'a.syncad.in', type: 'A', value: '203.0.113.1', ttl: 300 }),
    ).rejects.toMatchObject({ permanent: false, message: expect.stringMatching(/still Throttling after 3 attempts/) });
  });

  it.each(['NoSuchHostedZone', 'InvalidChangeBatch', 'AccessDenied'])(
    'fails permanently on %s, naming the zone',
    async (name) => {
      route53.on(ChangeResourceRecordSetsCommand).rejects(awsError(name, 400, `${name} happened`));
      await expect(
        provider().upsert({ name: 'a.syncad.in', type: 'A', value: '203.0.113.1', ttl: 300 }),
      ).rejects.toMatchObject({ permanent: true, message: expect.stringContaining('Z0123456789') });
    },
  );

  it('reports a change that never gets INSYNC as transient', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: 'C4', Status: 'PENDING', SubmittedAt: new Date() } });
    route53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: 'C4', Status: 'PENDING', SubmittedAt: new Date() } });
    const slow = new Route53DnsProvider({
      client: new Route53Client({ region: 'us-east-1' }),
      hostedZoneId: 'Z0123456789',
      zone: 'syncad.in',
      waitForSync: { timeoutMs: 30, pollMs: 10 },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    await expect(slow.upsert({ name: 'a.syncad.in', type: 'A', value: '203.0.113.1', ttl: 300 })).rejects.toMatchObject(
      { permanent: false, message: expect.stringMatching(/still PENDING/) },
    );
  });

  it('deletes the record exactly as it is, and treats an absent one as done', async () => {
    const current = {
      Name: 'greenwood.syncad.in.',
      Type: 'A' as const,
      TTL: 300,
      ResourceRecords: [{ Value: '203.0.113.10' }],
    };
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [current], IsTruncated: false, MaxItems: 1 })
      .resolves({
        ResourceRecordSets: [
          { Name: 'other.syncad.in.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '1.2.3.4' }] },
        ],
        IsTruncated: false,
        MaxItems: 1,
      });
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: 'C5', Status: 'INSYNC', SubmittedAt: new Date() } });
    expect(await provider().remove('greenwood.syncad.in', 'A')).toEqual({ existed: true, reference: 'C5' });
    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z0123456789',
      StartRecordName: 'greenwood.syncad.in.',
      StartRecordType: 'A',
      MaxItems: 1,
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch!.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: current },
    ]);
    expect(await provider().remove('greenwood.syncad.in', 'A')).toEqual({
      existed: false,
      reference: 'route53:absent',
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('lists the zone across pages, unescaping names and unquoting TXT', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: undefined })
      .resolves({
        ResourceRecordSets: [
          { Name: 'syncad.in.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-00.com.' }] },
          { Name: '\\052.syncad.in.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.9' }] },
        ],
        IsTruncated: true,
        NextRecordName: 'x.syncad.in.',
        NextRecordType: 'TXT',
        MaxItems: 2,
      })
      .on(ListResourceRecordSetsCommand, { StartRecordName: 'x.syncad.in.' })
      .resolves({
        ResourceRecordSets: [{ Name: 'x.syncad.in.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"token"' }] }],
        IsTruncated: false,
        MaxItems: 2,
      });
    expect(await provider().list()).toEqual([
      { name: '*.syncad.in', type: 'A', value: '203.0.113.9', ttl: 60 },
      { name: 'x.syncad.in', type: 'TXT', value: 'token', ttl: 60 },
    ]);
  });
});
