import { randomUUID } from 'node:crypto';
import { SCHOOL_STREAM_PREFIX, schoolIdFromStream } from '../../domain/school/events.js';
import { evolve } from '../../domain/school/evolve.js';
import { isDeliveryBehind, isRenewalDue } from '../../domain/school/renewal.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { CertificateDelivery } from '../../ports/certificate-delivery.port.js';
import type { CertificateProvider, IssuedCertificate } from '../../ports/certificates.port.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventMetadata, EventStore, GlobalPosition } from '../../ports/event-store.port.js';
import type { AppLogger } from '../../ports/logger.port.js';
import type { FaultPoints } from '../../ports/fault-points.port.js';
import { retryDelayMs, type RetryPolicy } from '../../process-manager/retry-policy.js';
import { describeError } from '../../shared/describe-error.js';
import { executeSchoolCommand, loadSchool, toFoldable } from '../school-stream.js';

/** One renewal attempt of one school's certificate, as its events and logs name it. */
interface RenewalAttempt {
  schoolId: string;
  slug: string;
  /** The certificate being replaced. */
  current: { serialNumber: string; reference: string };
  attempt: number;
  startedAt: string;
  metadata: EventMetadata;
  fields: Record<string, string>;
}

/**
 * Renews live schools' certificates before they expire (at two thirds of their lifetime). Each
 * renewal is an event: `CertificateRenewed`, or `CertificateRenewalFailed` with the next attempt's time,
 * which `GET /school/:id` shows; a failed renewal is retried with capped backoff until it succeeds.
 * A renewed certificate is delivered again at once (CERT_DELIVERY), and every sweep delivers the live
 * certificate of a school whose delivered one is behind it (a crash between the two, a failed delivery,
 * a school from before delivery, or a new CERT_DELIVERY), each recorded as `CertificateDelivered`.
 */
export class CertificateRenewer {
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly certificates: CertificateProvider,
    private readonly delivery: CertificateDelivery,
    private readonly faults: FaultPoints,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly policy: RetryPolicy,
  ) {}

  /** One pass over every school; returns how many were renewed, delivered and how many failed. */
  async sweep(): Promise<{ renewed: number; delivered: number; failed: number }> {
    if (this.running) return { renewed: 0, delivered: 0, failed: 0 };
    this.running = true;
    try {
      let [renewed, delivered, failed] = [0, 0, 0];
      const now = this.clock.now();
      for (const school of await this.dueSchools()) {
        const renewal = isRenewalDue(school, now);
        const ok = renewal ? await this.renew(school.id) : await this.deliver(school.id);
        if (!ok) failed++;
        else if (renewal) renewed++;
        else delivered++;
      }
      return { renewed, delivered, failed };
    } finally {
      this.running = false;
    }
  }

  private async dueSchools(): Promise<SchoolState[]> {
    const schools = new Map<string, SchoolState>();
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: 1000, streamPrefix: SCHOOL_STREAM_PREFIX });
      if (page.length === 0) break;
      for (const event of page) {
        const id = schoolIdFromStream(event.streamId);
        const next = id ? evolve(schools.get(id), toFoldable(event)) : undefined;
        if (id && next) schools.set(id, next);
      }
      after = page[page.length - 1].position;
    }
    const now = this.clock.now();
    const behind = (school: SchoolState) => isDeliveryBehind(school, this.delivery.name);
    return [...schools.values()].filter((school) => isRenewalDue(school, now) || behind(school));
  }

  private async renew(schoolId: string): Promise<boolean> {
    const { state, events } = await loadSchool(this.store, schoolId);
    const now = this.clock.now();
    if (!state || !isRenewalDue(state, now)) return true;
    const current = state.resources.certificate!;
    const attempt = (state.renewal?.attempts ?? 0) + 1;
    const startedAt = now.toISOString();
    const metadata = {
      actor: 'certificate-renewer',
      correlationId: events[0]?.metadata.correlationId ?? schoolId,
      causationId: randomUUID(),
      now: startedAt,
    };
    const { slug } = state.details;
    const fields = { schoolId, slug, correlationId: metadata.correlationId, step: 'renew_certificate' };
    const renewal: RenewalAttempt = { schoolId, slug, current, attempt, startedAt, metadata, fields };
    try {
      this.faults.beforeStep('renew_certificate', attempt);
      const cert = await this.certificates.renew({
        schoolId,
        domain: state.subdomain,
        serialNumber: current.serialNumber,
      });
      this.faults.afterSideEffect('renew_certificate', schoolId);
      await this.recordRenewed(renewal, cert);
      // The renewal stands whatever the delivery does: a failed one is tried again by the next sweep.
      await this.deliver(schoolId, current.reference);
      return true;
    } catch (error) {
      await this.recordRenewalFailure(renewal, error);
      return false;
    }
  }

  private async recordRenewed(renewal: RenewalAttempt, cert: IssuedCertificate): Promise<void> {
    const { schoolId, slug, current, attempt, startedAt, metadata, fields } = renewal;
    const finishedAt = this.clock.now().toISOString();
    await executeSchoolCommand(
      this.store,
      schoolId,
      () => ({
        type: 'RecordCertificateRenewal',
        data: {
          event: {
            type: 'CertificateRenewed',
            data: {
              provider: this.certificates.name,
              domain: cert.domain,
              reference: cert.reference,
              serialNumber: cert.serialNumber,
              issuer: cert.issuer,
              notBefore: cert.notBefore,
              notAfter: cert.notAfter,
              previousSerialNumber: current.serialNumber,
              attempt,
              startedAt,
              finishedAt,
            },
          },
          now: finishedAt,
        },
      }),
      { ...metadata, now: finishedAt },
      { clock: this.clock },
    );
    const renewed = `certificate renewed, serial ${cert.serialNumber}, valid until ${cert.notAfter}`;
    this.logger.log(`school ${schoolId} (${slug}): ${renewed}`, fields);
  }

  private async recordRenewalFailure(renewal: RenewalAttempt, error: unknown): Promise<void> {
    const { schoolId, slug, current, attempt, startedAt, metadata, fields } = renewal;
    const finishedAt = this.clock.now();
    // Renewal never gives up (an expired certificate is an outage), but backs off up to a day.
    const retryAt = new Date(
      finishedAt.getTime() +
        retryDelayMs({ ...this.policy, maxDelayMs: Math.max(this.policy.maxDelayMs, 1000) }, attempt),
    ).toISOString();
    const message = describeError(error);
    const failed = `certificate renewal attempt ${attempt} failed: ${message}; next attempt at ${retryAt}`;
    this.logger.warn(`school ${schoolId} (${slug}): ${failed}`, fields);
    await executeSchoolCommand(
      this.store,
      schoolId,
      () => ({
        type: 'RecordCertificateRenewalFailure',
        data: {
          serialNumber: current.serialNumber,
          attempt,
          error: message,
          retryAt,
          startedAt,
          finishedAt: finishedAt.toISOString(),
          now: finishedAt.toISOString(),
        },
      }),
      { ...metadata, now: finishedAt.toISOString() },
      { clock: this.clock },
    );
  }

  /**
   * Delivers the school's live certificate where it is behind (CERT_DELIVERY) and records it; a failure is
   * logged and left to the next sweep (the terminator goes on serving the previous certificate meanwhile).
   */
  private async deliver(schoolId: string, previousReference?: string): Promise<boolean> {
    const { state, events } = await loadSchool(this.store, schoolId);
    if (!state || !isDeliveryBehind(state, this.delivery.name)) return true;
    const certificate = state.resources.certificate!;
    const { slug } = state.details;
    const correlationId = events[0]?.metadata.correlationId ?? schoolId;
    const fields = { schoolId, slug, correlationId, step: 'deliver_certificate' };
    const startedAt = this.clock.now().toISOString();
    try {
      const { serialNumber, reference } = certificate;
      const domain = state.subdomain;
      const delivered = await this.delivery.deliver({ schoolId, domain, serialNumber, reference, previousReference });
      const finishedAt = this.clock.now().toISOString();
      const { location, changed } = delivered;
      const data = {
        ...{ attempt: 1, startedAt, finishedAt, delivery: this.delivery.name, domain, serialNumber },
        ...(location ? { location } : {}),
        ...{ changed, renewal: true },
      };
      const event = { type: 'CertificateDelivered' as const, data };
      const metadata = { actor: 'certificate-renewer', correlationId, causationId: randomUUID(), now: finishedAt };
      const command = () => ({ type: 'RecordCertificateDelivery' as const, data: { event, now: finishedAt } });
      await executeSchoolCommand(this.store, schoolId, command, metadata, { clock: this.clock });
      const where = location ? ` to ${location}` : '';
      this.logger.log(`school ${schoolId} (${slug}): certificate ${serialNumber} delivered${where}`, fields);
      return true;
    } catch (error) {
      const failed = `delivering certificate ${certificate.serialNumber} failed: ${describeError(error)}; the next sweep tries again`;
      this.logger.warn(`school ${schoolId} (${slug}): ${failed}`, fields);
      return false;
    }
  }
}
