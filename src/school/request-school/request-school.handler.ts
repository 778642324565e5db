import { randomUUID } from 'node:crypto';
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { validateSchoolDetails } from '../../domain/school/details.js';
import type { SchoolCommand } from '../../domain/school/commands.js';
import { decide } from '../../domain/school/decide.js';
import { DomainError } from '../../domain/school/errors.js';
import { schoolStreamId } from '../../domain/school/events.js';
import { foreignRecords } from '../../ports/dns-ownership.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { DNS_PROVIDER, DnsNameTakenError, type DnsProvider } from '../../ports/dns.port.js';
import { EVENT_STORE, WrongExpectedRevisionError } from '../../ports/event-store.port.js';
import type { EventMetadata, EventStore } from '../../ports/event-store.port.js';
import { databaseNameFor } from '../../ports/tenant-databases.port.js';
import { requestMetadata } from '../request-metadata.js';
import { APP_SETTINGS, type AppSettings } from '../../shared/settings.js';
import { RequestSchoolCommand, type SchoolSummary } from './request-school.command.js';
import { claimSlug, releaseSlug, SlugTakenError } from './slug-claims.js';

@CommandHandler(RequestSchoolCommand)
export class RequestSchoolHandler implements ICommandHandler<RequestSchoolCommand, SchoolSummary> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_SETTINGS) private readonly settings: AppSettings,
    @Optional() @Inject(DNS_PROVIDER) private readonly dns?: DnsProvider,
  ) {}

  async execute(command: RequestSchoolCommand): Promise<SchoolSummary> {
    const input = command.details;
    const { reservedSlugs } = this.settings;
    const details = validateSchoolDetails(input, { reservedSlugs: new Set(reservedSlugs) });
    if (Array.isArray(details))
      throw new DomainError('invalid_details', details.map((e) => `${e.field} ${e.message}`).join('; '));
    const schoolId = randomUUID();
    const now = this.clock.now().toISOString();
    const retry = command.retryOf ? { retryOf: command.retryOf } : {};
    const metadata = { ...requestMetadata(command, now), ...retry };
    const databaseName = databaseNameFor(schoolId);
    const subdomain = `${details.slug}.${this.settings.baseDomain}`;
    const claim = await claimSlug(this.store, details.slug, schoolId, metadata);
    try {
      // After the slug's claim: a slug another school of ours holds is answered as slug-taken, not name-taken.
      await this.checkNameFree(subdomain, schoolId);
      const slugClaim = { slugStream: claim.stream, slugRevision: claim.revision };
      const data = { schoolId, details, databaseName, subdomain, ...slugClaim, now, reservedSlugs };
      await recordRequestedSchool(this.store, { type: 'RequestSchool', data }, metadata);
    } catch (error) {
      // The school was never recorded (or its name is taken in DNS): give the slug back so that nobody
      // waits for an abandoned claim.
      await releaseSlug(this.store, details.slug, schoolId, metadata).catch(() => undefined);
      throw error;
    }
    return {
      id: schoolId,
      name: details.name,
      slug: details.slug,
      databaseName,
      subdomain,
      status: 'provisioning',
      createdAt: now,
    };
  }

  /**
   * A name that holds records SCS does not own is refused now rather than failing `create_dns` later.
   * A provider that does not answer does not refuse the request: the step checks again before it writes.
   */
  private async checkNameFree(subdomain: string, schoolId: string): Promise<void> {
    if (!this.dns) return;
    const found = await this.dns.recordsAt(subdomain).catch(() => undefined);
    const foreign = found && foreignRecords(subdomain, found, this.dns.owner, schoolId);
    if (foreign && foreign.length > 0) throw new DnsNameTakenError(subdomain, foreign);
  }
}

/**
 * Records a new school expecting "no stream". Only a takeover of this request's slug claim as abandoned
 * (`claimSlug`, when this request took longer than the claim may wait) writes that stream first; the
 * append then fails, and the slug, now someone else's, is answered as taken rather than given twice.
 */
export async function recordRequestedSchool(
  store: EventStore,
  command: Extract<SchoolCommand, { type: 'RequestSchool' }>,
  metadata: EventMetadata,
): Promise<void> {
  const events = decide(command, undefined).map((e) => ({
    type: e.type,
    data: e.data as Record<string, unknown>,
    metadata,
  }));
  try {
    await store.append(schoolStreamId(command.data.schoolId), events, 'no_stream');
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) throw new SlugTakenError(command.data.details.slug);
    throw error;
  }
}
