import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { DnsNameTakenError } from '../../src/ports/dns.port.js';
import { Route53DnsProvider } from '../../src/adapters/dns/route53/route53-dns.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const MARK = `"heritage=scs,scs/owner=scs-prod,scs/school=${SCHOOL},scs/type=A"`;
const SHOP_A = { Name: 'shop.syncad.in.', Type: 'A' as const, TTL: 300, ResourceRecords: [{ Value: '203.0.113.10' }] };
const SHOP_MARK = {
  Name: '_scs-owner.shop.syncad.in.',
  Type: 'TXT' as const,
  TTL: 300,
  ResourceRecords: [{ Value: MARK }],
};
// Route53 lists names with their labels reversed: what lies under shop.syncad.in follows it, then the rest.
const AFTER = { Name: 'zoo.syncad.in.', Type: 'A' as const, TTL: 300, ResourceRecords: [{ Value: '198.51.100.1' }] };

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
      owner: 'scs-prod',
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
      owner: 'scs-prod',
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

  describe('ownership: only records this SCS instance made are written or deleted', () => {
    const record = { name: 'shop.syncad.in', type: 'A' as const, value: '203.0.113.10', ttl: 300 };
    const listing = (...sets: object[]) =>
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: sets as never, IsTruncated: false });
    const insync = () =>
      route53
        .on(ChangeResourceRecordSetsCommand)
        .resolves({ ChangeInfo: { Id: 'C9', Status: 'INSYNC', SubmittedAt: new Date() } });

    it('creates a free name with CREATE: the record and its ownership mark in one change batch', async () => {
      listing(AFTER);
      insync();
      expect(await provider().claim(record, SCHOOL)).toEqual({ reference: 'C9' });
      expect(route53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
        HostedZoneId: 'Z0123456789',
        StartRecordName: 'shop.syncad.in.',
        StartRecordType: undefined,
      });
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input).toEqual({
        HostedZoneId: 'Z0123456789',
        ChangeBatch: {
          Comment: 'SCS',
          Changes: [
            { Action: 'CREATE', ResourceRecordSet: SHOP_MARK },
            { Action: 'CREATE', ResourceRecordSet: SHOP_A },
          ],
        },
      });
    });

    it('refuses a name holding a record it does not own, or a name under it, and changes nothing', async () => {
      const foreign = { ...SHOP_A, ResourceRecords: [{ Value: '192.0.2.44' }] };
      listing(foreign, AFTER);
      const error = await provider()
        .claim(record, SCHOOL)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DnsNameTakenError);
      expect(error).toMatchObject({
        permanent: true,
        records: [{ name: 'shop.syncad.in', type: 'A', value: '192.0.2.44', ttl: 300 }],
      });
      route53.reset();
      const validation = {
        Name: '_x1.shop.syncad.in.',
        Type: 'CNAME',
        TTL: 300,
        ResourceRecords: [{ Value: 'v.aws.' }],
      };
      listing(validation, AFTER);
      await expect(provider().claim(record, SCHOOL)).rejects.toBeInstanceOf(DnsNameTakenError);
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    });

    it("refuses another SCS instance's record (staging and production sharing a zone)", async () => {
      const staging = { ...SHOP_MARK, ResourceRecords: [{ Value: MARK.replace('scs-prod', 'scs-staging') }] };
      listing(SHOP_A, staging, AFTER);
      await expect(provider().claim(record, SCHOOL)).rejects.toBeInstanceOf(DnsNameTakenError);
      expect(await provider().release('shop.syncad.in', 'A', SCHOOL)).toMatchObject({ existed: true, owned: false });
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    });

    it('UPSERTs its own name again (a step re-run), and a CREATE that lost a race is retried, not forced', async () => {
      listing(SHOP_A, SHOP_MARK, AFTER);
      insync();
      await provider().claim(record, SCHOOL);
      expect(
        route53
          .commandCalls(ChangeResourceRecordSetsCommand)[0]
          .args[0].input.ChangeBatch!.Changes!.map((c) => c.Action),
      ).toEqual(['UPSERT', 'UPSERT']);
      route53.reset();
      listing(AFTER);
      route53
        .on(ChangeResourceRecordSetsCommand)
        .rejects(
          awsError(
            'InvalidChangeBatch',
            400,
            "[Tried to create resource record set [name='shop.syncad.in.', type='A'] but it already exists]",
          ),
        );
      await expect(provider().claim(record, SCHOOL)).rejects.toMatchObject({ permanent: false });
    });

    it('deletes its own record with its mark, exactly as they are, and leaves an unmarked one', async () => {
      listing(SHOP_A, SHOP_MARK, AFTER);
      insync();
      expect(await provider().release('shop.syncad.in', 'A', SCHOOL)).toEqual({
        existed: true,
        owned: true,
        reference: 'C9',
      });
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input.ChangeBatch!.Changes).toEqual([
        { Action: 'DELETE', ResourceRecordSet: SHOP_MARK },
        { Action: 'DELETE', ResourceRecordSet: SHOP_A },
      ]);
      route53.reset();
      listing(SHOP_A, AFTER);
      expect(await provider().release('shop.syncad.in', 'A', SCHOOL)).toMatchObject({ existed: true, owned: false });
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    });
  });
});
