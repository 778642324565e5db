import { ACMClient, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  DescribeListenerCertificatesCommand,
  ElasticLoadBalancingV2Client,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { AlbCertificateDelivery } from '../../src/adapters/certificate-delivery/alb/alb-delivery.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const LISTENER =
  'arn:aws:elasticloadbalancing:ap-south-1:123456789012:listener/app/schools/50dc6c495c0c9188/f2f7dc8efc522ab2';
const DEFAULT = 'arn:aws:acm:ap-south-1:123456789012:certificate/default';
const ARN = 'arn:aws:acm:ap-south-1:123456789012:certificate/greenwood';
const RENEWED = 'arn:aws:acm:ap-south-1:123456789012:certificate/greenwood-2';
const awsError = (name: string) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });

describe('CERT_DELIVERY=alb: ACM certificates on an ALB HTTPS listener (requests asserted at the SDK boundary)', () => {
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const acm = mockClient(ACMClient);
  const delivery = () =>
    new AlbCertificateDelivery({
      client: new ElasticLoadBalancingV2Client({}),
      acm: new ACMClient({}),
      listenerArn: LISTENER,
      owner: 'scs-test',
      sleep: async () => undefined,
    });
  const attached = (...arns: string[]) => ({
    Certificates: [{ CertificateArn: DEFAULT, IsDefault: true }, ...arns.map((a) => ({ CertificateArn: a }))],
  });
  const school = { schoolId: SCHOOL, domain: 'greenwood.syncad.in', serialNumber: '0a1b', reference: ARN };
  // Every request the adapter sent, in order: [command, input].
  const sent = () =>
    [...elb.calls(), ...acm.calls()].map((c) => [c.args[0].constructor.name, c.args[0].input as unknown]);

  beforeEach(() => {
    elb.reset();
    acm.reset();
  });

  it('adds the certificate once: a repeat finds it attached and sends nothing but the look', async () => {
    elb.on(DescribeListenerCertificatesCommand).resolvesOnce(attached()).resolves(attached(ARN));
    elb.on(AddListenerCertificatesCommand).resolves({ Certificates: [{ CertificateArn: ARN }] });
    expect(await delivery().deliver(school)).toEqual({ location: LISTENER, changed: true });
    expect(await delivery().deliver(school)).toEqual({ location: LISTENER, changed: false });
    expect(sent()).toEqual([
      ['DescribeListenerCertificatesCommand', { ListenerArn: LISTENER }],
      ['AddListenerCertificatesCommand', { ListenerArn: LISTENER, Certificates: [{ CertificateArn: ARN }] }],
      ['DescribeListenerCertificatesCommand', { ListenerArn: LISTENER }],
    ]);
  });

  it('reads every page of the listener certificates before deciding', async () => {
    elb
      .on(DescribeListenerCertificatesCommand, { ListenerArn: LISTENER, Marker: undefined })
      .resolves({ ...attached(), NextMarker: 'page-2' })
      .on(DescribeListenerCertificatesCommand, { ListenerArn: LISTENER, Marker: 'page-2' })
      .resolves({ Certificates: [{ CertificateArn: ARN }] });
    expect(await delivery().deliver(school)).toEqual({ location: LISTENER, changed: false });
    expect(elb.commandCalls(AddListenerCertificatesCommand)).toHaveLength(0);
    expect(elb.commandCalls(DescribeListenerCertificatesCommand).map((c) => c.args[0].input.Marker)).toEqual([
      undefined,
      'page-2',
    ]);
  });

  it("on renewal attaches the renewed certificate, then takes the previous one off (never the listener's default)", async () => {
    elb.on(DescribeListenerCertificatesCommand).resolves(attached(ARN));
    elb.on(AddListenerCertificatesCommand).resolves({});
    elb.on(RemoveListenerCertificatesCommand).resolves({});
    const renewal = { ...school, serialNumber: '0c2d', reference: RENEWED, previousReference: ARN };
    expect(await delivery().deliver(renewal)).toEqual({ location: LISTENER, changed: true });
    expect(sent()).toEqual([
      ['DescribeListenerCertificatesCommand', { ListenerArn: LISTENER }],
      ['AddListenerCertificatesCommand', { ListenerArn: LISTENER, Certificates: [{ CertificateArn: RENEWED }] }],
      ['RemoveListenerCertificatesCommand', { ListenerArn: LISTENER, Certificates: [{ CertificateArn: ARN }] }],
    ]);
    // ACM's managed renewal keeps the ARN: the same certificate is still attached, nothing is sent.
    elb.reset();
    elb.on(DescribeListenerCertificatesCommand).resolves(attached(ARN));
    expect(await delivery().deliver({ ...school, previousReference: ARN })).toEqual({
      location: LISTENER,
      changed: false,
    });
    expect(sent()).toEqual([['DescribeListenerCertificatesCommand', { ListenerArn: LISTENER }]]);
    // A school whose previous certificate is the listener's default leaves the default where it is.
    elb.reset();
    elb.on(DescribeListenerCertificatesCommand).resolves(attached());
    elb.on(AddListenerCertificatesCommand).resolves({});
    await delivery().deliver({ ...renewal, previousReference: DEFAULT });
    expect(elb.commandCalls(RemoveListenerCertificatesCommand)).toHaveLength(0);
  });

  it('fails for good, saying why, when the listener holds as many certificates as it may', async () => {
    elb.on(DescribeListenerCertificatesCommand).resolves(attached());
    elb.on(AddListenerCertificatesCommand).rejects(awsError('TooManyCertificatesException'));
    const error = await delivery()
      .deliver(school)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: true });
    expect((error as Error).message).toMatch(
      new RegExp(`the listener ${LISTENER} holds as many certificates as it may .*greenwood.syncad.in cannot be added`),
    );
    expect(elb.commandCalls(AddListenerCertificatesCommand)).toHaveLength(1); // not retried
  });

  it('retries a certificate ELB does not see yet, and throttling, as transient', async () => {
    elb.on(DescribeListenerCertificatesCommand).resolves(attached());
    elb.on(AddListenerCertificatesCommand).rejects(awsError('CertificateNotFoundException'));
    await expect(delivery().deliver(school)).rejects.toMatchObject({ permanent: false });
    elb.reset();
    elb.on(DescribeListenerCertificatesCommand).resolves(attached());
    elb
      .on(AddListenerCertificatesCommand)
      .rejectsOnce(Object.assign(awsError('Throttling'), { $metadata: { httpStatusCode: 400 } }))
      .resolves({});
    expect(await delivery().deliver(school)).toEqual({ location: LISTENER, changed: true });
    expect(elb.commandCalls(AddListenerCertificatesCommand)).toHaveLength(2);
  });

  it('refuses a certificate that is not ACM’s', async () => {
    await expect(delivery().deliver({ ...school, reference: 'local:0a1b' })).rejects.toMatchObject({ permanent: true });
    expect(sent()).toEqual([]);
  });

  it('removes the school’s certificate on teardown; one already off, or the default, is left', async () => {
    elb.on(DescribeListenerCertificatesCommand).resolves(attached(ARN));
    elb.on(RemoveListenerCertificatesCommand).resolves({});
    const request = { schoolId: SCHOOL, domain: 'greenwood.syncad.in', reference: ARN };
    expect(await delivery().withdraw(request)).toEqual({ location: LISTENER, existed: true, owned: true });
    expect(sent()).toEqual([
      ['DescribeListenerCertificatesCommand', { ListenerArn: LISTENER }],
      ['RemoveListenerCertificatesCommand', { ListenerArn: LISTENER, Certificates: [{ CertificateArn: ARN }] }],
    ]);
    elb.reset();
    elb.on(DescribeListenerCertificatesCommand).resolves(attached());
    expect(await delivery().withdraw(request)).toEqual({ location: LISTENER, existed: false, owned: true });
    expect(await delivery().withdraw({ ...request, reference: DEFAULT })).toEqual({
      location: LISTENER,
      existed: true,
      owned: false,
    });
    expect(elb.commandCalls(RemoveListenerCertificatesCommand)).toHaveLength(0);
  });

  it('lists the attached certificates with their ACM owner tags for the reconciler, skipping the default', async () => {
    const other = 'arn:aws:acm:ap-south-1:123456789012:certificate/other-team';
    elb.on(DescribeListenerCertificatesCommand).resolves(attached(ARN, other));
    acm
      .on(ListTagsForCertificateCommand, { CertificateArn: ARN })
      .resolves({
        Tags: [
          { Key: 'scs:school-id', Value: SCHOOL },
          { Key: 'scs:owner', Value: 'scs-test' },
        ],
      })
      .on(ListTagsForCertificateCommand, { CertificateArn: other })
      .resolves({ Tags: [{ Key: 'team', Value: 'web' }] });
    expect(await delivery().listDelivered()).toEqual([
      { name: `${LISTENER} ${ARN}`, reference: ARN, schoolId: SCHOOL, owner: 'scs-test' },
      { name: `${LISTENER} ${other}`, reference: other, schoolId: undefined, owner: '' },
    ]);
  });
});
