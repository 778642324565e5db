import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { validateSchoolDetails } from '../../domain/school/details.js';
import { DomainError } from '../../domain/school/errors.js';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { databaseNameFor } from '../ports/tenant-databases.port.js';
import { requestMetadata } from '../school/request-metadata.js';
import { executeSchoolCommand } from '../school/school-stream.js';
import { APP_SETTINGS, type AppSettings } from '../settings.js';
import { RequestSchoolCommand, type SchoolSummary } from './request-school.command.js';
import { claimSlug, releaseSlug } from './slug-claims.js';

@CommandHandler(RequestSchoolCommand)
export class RequestSchoolHandler implements ICommandHandler<RequestSchoolCommand, SchoolSummary> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_SETTINGS) private readonly settings: AppSettings,
  ) {}

  async execute(command: RequestSchoolCommand): Promise<SchoolSummary> {
    const input = command.details;
    const details = validateSchoolDetails(input);
    if (Array.isArray(details)) throw new DomainError('invalid_details', details.map((e) => `${e.field} ${e.message}`).join('; '));
    const schoolId = randomUUID();
    const now = this.clock.now().toISOString();
    const metadata = requestMetadata(command, now);
    const databaseName = databaseNameFor(schoolId);
    const subdomain = `${details.slug}.${this.settings.baseDomain}`;

    const claim = await claimSlug(this.store, details.slug, schoolId, metadata);
    try {
      await executeSchoolCommand(this.store, schoolId, () => ({
        type: 'RequestSchool',
        data: { schoolId, details, databaseName, subdomain, slugStream: claim.stream, slugRevision: claim.revision, now },
      }), metadata);
    } catch (error) {
      // The school was never recorded: give the slug back so that nobody waits for an abandoned claim.
      await releaseSlug(this.store, details.slug, schoolId, metadata).catch(() => undefined);
      throw error;
    }
    return { id: schoolId, name: details.name, slug: details.slug, databaseName, subdomain, status: 'provisioning', createdAt: now };
  }
}
