import { ListTagsForCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  DescribeListenerCertificatesCommand,
  RemoveListenerCertificatesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  CertificateDelivery,
  CertificateToDeliver,
  Delivered,
  DeliveredCertificate,
  Withdrawn,
} from '../../../ports/certificate-delivery.port.js';
import { StepError } from '../../../ports/step-error.js';
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';

export interface AlbDeliveryOptions {
  client: ElasticLoadBalancingV2Client;
  /** For the attached certificates' `scs:school-id` and `scs:owner` tags (the reconciler's ownership). */
  acm: ACMClient;
  /** CERT_ALB_LISTENER_ARN: the HTTPS listener the schools' certificates are added to (SNI picks one). */
  listenerArn: string;
  /** SCS_OWNER_ID: the owner tag the ACM adapter put on the certificates this instance requested. */
  owner: string;
  sleep?: (ms: number) => Promise<void>;
}

const SCHOOL_TAG = 'scs:school-id';
const OWNER_TAG = 'scs:owner';

function sdkName(error: unknown): string | undefined {
  const cause = error instanceof StepError ? (error as { cause?: unknown }).cause : error;
  return (cause as { name?: string } | undefined)?.name;
}

/**
 * `alb`: the school's ACM certificate added to an Application Load Balancer's HTTPS listener, which
 * serves it to clients that ask for the school's name (SNI). The listener's own default certificate is
 * never removed. A listener holds a limited number of certificates (25 besides the default unless AWS
 * raised the quota): past it, delivery fails for good with that said.
 */
export class AlbCertificateDelivery implements CertificateDelivery {
  readonly name = 'alb';
  readonly owner: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AlbDeliveryOptions) {
    this.owner = options.owner;
    this.sleep = options.sleep ?? realSleep;
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withAwsRetry(`ELB ${what}`, fn, { attempts: 5, baseDelayMs: 500, sleep: this.sleep });
  }

  /** The listener's certificates: ARN → whether it is the default one. */
  private async attached(): Promise<Map<string, boolean>> {
    const attached = new Map<string, boolean>();
    let marker: string | undefined;
    do {
      const page = await this.call('DescribeListenerCertificates', () =>
        this.options.client.send(
          new DescribeListenerCertificatesCommand({ ListenerArn: this.options.listenerArn, Marker: marker }),
        ),
      );
      for (const c of page.Certificates ?? []) if (c.CertificateArn) attached.set(c.CertificateArn, !!c.IsDefault);
      marker = page.NextMarker;
    } while (marker);
    return attached;
  }

  async deliver(certificate: CertificateToDeliver): Promise<Delivered> {
    const arn = certificate.reference;
    if (!arn.startsWith('arn:'))
      throw StepError.permanent(`CERT_DELIVERY=alb needs an ACM certificate (CERT_PROVIDER=acm), not ${arn}`);
    const { listenerArn } = this.options;
    const attached = await this.attached();
    let changed = false;
    if (!attached.has(arn)) {
      await this.add(arn, certificate.domain);
      changed = true;
    }
    const previous = certificate.previousReference;
    if (previous && previous !== arn && attached.has(previous) && !attached.get(previous)) {
      await this.remove(previous);
      changed = true;
    }
    return { location: listenerArn, changed };
  }

  private async add(arn: string, domain: string): Promise<void> {
    const { listenerArn } = this.options;
    try {
      await this.call(`AddListenerCertificates ${arn}`, () =>
        this.options.client.send(
          new AddListenerCertificatesCommand({ ListenerArn: listenerArn, Certificates: [{ CertificateArn: arn }] }),
        ),
      );
    } catch (error) {
      const name = sdkName(error);
      if (name === 'TooManyCertificatesException')
        throw StepError.permanent(
          `the listener ${listenerArn} holds as many certificates as it may (its quota, 25 besides the default ` +
            `unless AWS raised it), so ${domain} cannot be added: raise the quota or use another listener ` +
            '(CERT_ALB_LISTENER_ARN)',
          error,
        );
      // A certificate ACM has just issued may not be visible to ELB yet.
      if (name === 'CertificateNotFoundException')
        throw StepError.transient(`ELB does not see the certificate ${arn} yet; retrying`, error);
      throw error;
    }
  }

  private async remove(arn: string): Promise<void> {
    await this.call(`RemoveListenerCertificates ${arn}`, () =>
      this.options.client.send(
        new RemoveListenerCertificatesCommand({
          ListenerArn: this.options.listenerArn,
          Certificates: [{ CertificateArn: arn }],
        }),
      ),
    );
  }

  async withdraw(request: { schoolId: string; domain: string; reference?: string }): Promise<Withdrawn> {
    const location = this.options.listenerArn;
    const arn = request.reference;
    if (!arn?.startsWith('arn:')) return { location, existed: false, owned: true };
    const attached = await this.attached();
    if (!attached.has(arn)) return { location, existed: false, owned: true };
    // The listener's default certificate is the operator's: a listener cannot be without one.
    if (attached.get(arn)) return { location, existed: true, owned: false };
    await this.remove(arn);
    return { location, existed: true, owned: true };
  }

  async listDelivered(): Promise<DeliveredCertificate[]> {
    const found: DeliveredCertificate[] = [];
    for (const [arn, isDefault] of await this.attached()) {
      if (isDefault) continue;
      const tags = await this.call(`ACM ListTagsForCertificate ${arn}`, () =>
        this.options.acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn })),
      ).catch(() => ({ Tags: [] })); // another account's or a deleted certificate: not SCS's
      const tag = (key: string) => tags.Tags?.find((t) => t.Key === key)?.Value;
      const name = `${this.options.listenerArn} ${arn}`;
      found.push({ name, reference: arn, schoolId: tag(SCHOOL_TAG), owner: tag(OWNER_TAG) ?? '' });
    }
    return found;
  }
}
