import {
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  type ACMClient,
  type CertificateDetail,
} from '@aws-sdk/client-acm';
import type { CertificatePem, CertificateProvider, IssuedCertificate } from '../../../ports/certificates.port.js';
import type { DnsProvider } from '../../../ports/dns.port.js';
import { StepError } from '../../../ports/step-error.js';
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';

export interface AcmOptions {
  client: ACMClient;
  /** Validation records are written as the school's, through the DNS provider (marked with its owner). */
  dns: DnsProvider;
  /** How long DNS validation may take before the step fails transiently (it is retried later). */
  deadlineMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const TAG = 'scs:school-id';
/**
 * The SCS instance that requested the certificate (the DNS provider's owner), so that instances sharing
 * an AWS account tell theirs apart.
 */
const OWNER_TAG = 'scs:owner';

/**
 * `acm`: a certificate from AWS Certificate Manager, validated through the DNS provider. The
 * idempotency token is the school id (ACM returns the same certificate for a repeated request within an
 * hour), and the certificate is tagged with the school id so that it can be found again later. ACM
 * cannot revoke what it issued: teardown deletes the certificate and its validation record.
 */
export class AcmCertificateProvider implements CertificateProvider {
  readonly name = 'acm';
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AcmOptions) {
    this.sleep = options.sleep ?? realSleep;
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withAwsRetry(`ACM ${what}`, fn, { attempts: 5, baseDelayMs: 500, sleep: this.sleep });
  }

  private describe(arn: string): Promise<CertificateDetail> {
    return this.call(
      `DescribeCertificate ${arn}`,
      async () =>
        (await this.options.client.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate ?? {},
    );
  }

  async issue(request: { schoolId: string; domain: string }): Promise<IssuedCertificate> {
    const requested = await this.call(`RequestCertificate ${request.domain}`, () =>
      this.options.client.send(
        new RequestCertificateCommand({
          DomainName: request.domain,
          ValidationMethod: 'DNS',
          IdempotencyToken: request.schoolId.replace(/-/g, '').slice(0, 32),
          Tags: [
            { Key: TAG, Value: request.schoolId },
            { Key: OWNER_TAG, Value: this.options.dns.owner },
          ],
        }),
      ),
    );
    const arn = requested.CertificateArn!;
    const deadline = Date.now() + (this.options.deadlineMs ?? 30 * 60_000);
    let validationWritten = false;
    for (;;) {
      const detail = await this.describe(arn);
      if (detail.Status === 'ISSUED') return this.view(arn, detail);
      if (detail.Status && ['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED'].includes(detail.Status)) {
        throw StepError.permanent(
          `ACM certificate ${arn} for ${request.domain} is ${detail.Status}${detail.FailureReason ? `: ${detail.FailureReason}` : ''}`,
        );
      }
      const record = detail.DomainValidationOptions?.find((o) => o.ResourceRecord)?.ResourceRecord;
      if (record && !validationWritten) {
        const name = record.Name!.replace(/\.$/, '');
        await this.options.dns.claim(
          { name, type: 'CNAME', value: record.Value!.replace(/\.$/, ''), ttl: 300 },
          request.schoolId,
        );
        validationWritten = true;
      }
      if (Date.now() > deadline)
        throw StepError.transient(
          `ACM validation of ${request.domain} still pending after ${Math.round((this.options.deadlineMs ?? 1_800_000) / 1000)} s (certificate ${arn})`,
        );
      await this.sleep(this.options.pollMs ?? 10_000);
    }
  }

  private view(arn: string, detail: CertificateDetail): IssuedCertificate {
    return {
      reference: arn,
      serialNumber: (detail.Serial ?? '').replace(/:/g, '').toLowerCase(),
      domain: detail.DomainName ?? '',
      issuer: detail.Issuer ?? 'Amazon',
      notBefore: (detail.NotBefore ?? new Date(0)).toISOString(),
      notAfter: (detail.NotAfter ?? new Date(0)).toISOString(),
    };
  }

  /** ACM renews its own certificates (managed renewal); this reports the current one. */
  async renew(request: { schoolId: string; domain: string; serialNumber: string }): Promise<IssuedCertificate> {
    const arn = (await this.findBySchool(request.schoolId))[0];
    if (!arn) throw StepError.permanent(`no ACM certificate is tagged with school ${request.schoolId}`);
    const current = this.view(arn, await this.describe(arn));
    if (current.serialNumber === request.serialNumber) {
      throw StepError.transient(
        `ACM's managed renewal has not replaced certificate ${arn} yet (it renews about 60 days before expiry, once validation still works)`,
      );
    }
    return current;
  }

  async revoke(request: {
    schoolId: string;
    domain: string;
    reference?: string;
  }): Promise<{ revoked: boolean; reference?: string }> {
    const arn = request.reference?.startsWith('arn:')
      ? request.reference
      : (await this.findBySchool(request.schoolId))[0];
    if (!arn) return { revoked: false };
    let detail: CertificateDetail;
    try {
      detail = await this.describe(arn);
    } catch (error) {
      if (error instanceof StepError && /ResourceNotFoundException/.test(error.message)) return { revoked: false };
      throw error;
    }
    const record = detail.DomainValidationOptions?.find((o) => o.ResourceRecord)?.ResourceRecord;
    try {
      await this.call(`DeleteCertificate ${arn}`, () =>
        this.options.client.send(new DeleteCertificateCommand({ CertificateArn: arn })),
      );
    } catch (error) {
      if (error instanceof StepError && /ResourceNotFoundException/.test(error.message)) return { revoked: false };
      if (error instanceof StepError && /ResourceInUseException/.test(error.message)) {
        throw StepError.transient(
          `ACM certificate ${arn} is still attached to a load balancer or CloudFront; detach it and the deletion is retried`,
        );
      }
      throw error;
    }
    if (record) await this.options.dns.release(record.Name!.replace(/\.$/, ''), 'CNAME', request.schoolId);
    return { revoked: true, reference: arn };
  }

  /** ACM never hands out a private key: its certificates are served by AWS (CERT_DELIVERY=alb), not from files. */
  async pemOf(): Promise<CertificatePem | undefined> {
    throw StepError.permanent('ACM certificates cannot be exported with their keys: use CERT_DELIVERY=alb (or none)');
  }

  private async findBySchool(schoolId?: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListCertificates', () =>
        this.options.client.send(new ListCertificatesCommand({ NextToken: token })),
      );
      for (const summary of page.CertificateSummaryList ?? []) {
        const tags = await this.call('ListTagsForCertificate', () =>
          this.options.client.send(new ListTagsForCertificateCommand({ CertificateArn: summary.CertificateArn })),
        );
        const school = tags.Tags?.find((t) => t.Key === TAG)?.Value;
        const owner = tags.Tags?.find((t) => t.Key === OWNER_TAG)?.Value ?? '';
        if (school && (schoolId === undefined || school === schoolId))
          found.push(`${summary.CertificateArn}|${school}|${summary.DomainName}|${owner}`);
      }
      token = page.NextToken;
    } while (token);
    return schoolId === undefined ? found : found.map((f) => f.split('|')[0]);
  }

  async listActive(): Promise<Array<{ schoolId: string; domain: string; serialNumber: string; owner: string }>> {
    const all = await this.findBySchool();
    return all.map((entry) => {
      const [arn, schoolId, domain, owner] = entry.split('|');
      return { schoolId, domain, serialNumber: arn, owner };
    });
  }
}
