import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../domain/school/errors.js';
import { restorableArchive } from '../../domain/school/restore.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { DATABASE_ARCHIVES, type DatabaseArchives } from '../../ports/database-archives.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { claimSlug, releaseSlug } from '../request-school/slug-claims.js';
import { requestMetadata } from '../request-metadata.js';
import { executeSchoolCommand, loadSchool } from '../school-stream.js';
import { APP_SETTINGS, type AppSettings } from '../../shared/settings.js';
import { RestoreSchoolCommand, type RestoreAccepted } from './restore-school.command.js';

/**
 * Checks what can be checked before anything is claimed (a deleted school, its archive within the retention
 * and still there), claims the school's slug again (`school_slug-<slug>`: SlugTakenError when another school
 * holds it), then records `SchoolRestoreRequested` and `SlugReserved` on the revision it read. The process
 * manager does the rest; a refused or failed append gives the slug back.
 */
@CommandHandler(RestoreSchoolCommand)
export class RestoreSchoolHandler implements ICommandHandler<RestoreSchoolCommand, RestoreAccepted> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_SETTINGS) private readonly settings: AppSettings,
    @Inject(DATABASE_ARCHIVES) private readonly archives: DatabaseArchives,
  ) {}

  async execute(command: RestoreSchoolCommand): Promise<RestoreAccepted> {
    const now = this.clock.now().toISOString();
    const retentionDays = this.settings.archiveRetentionDays;
    const loaded = await loadSchool(this.store, command.schoolId);
    if (!loaded.state) throw new DomainError('school_not_found', 'no such school');
    const school = loaded.state;
    const archive = restorableArchive(school, now, retentionDays);
    if (!(await this.archives.exists(archive.location))) {
      throw new DomainError('archive_expired', `school ${school.id}'s archive ${archive.location} is gone`);
    }
    const metadata = requestMetadata(command, now);
    const slug = school.details.slug;
    const claim = await claimSlug(this.store, slug, school.id, metadata);
    try {
      const { stream: slugStream, revision: slugRevision } = claim;
      const data = { now, notify: command.notify, retentionDays, slugStream, slugRevision };
      await executeSchoolCommand(this.store, school.id, () => ({ type: 'RequestRestore', data }), metadata, {
        known: loaded,
        clock: this.clock,
      });
    } catch (error) {
      // Given back unless a concurrent request restored the school meanwhile (the claim is then its).
      const after = await loadSchool(this.store, school.id).catch(() => undefined);
      if (after?.state?.status === 'deleted') await releaseSlug(this.store, slug, school.id, metadata).catch(() => 0);
      throw error;
    }
    const { location, format, archivedAt } = archive;
    return { id: school.id, slug, status: 'restoring', archive: { location, format, archivedAt } };
  }
}
