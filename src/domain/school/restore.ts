import { DomainError } from './errors.js';
import type { EventOf } from './events.js';
import type { ArchivedDatabase, SchoolState } from './state.js';

const DAY_MS = 24 * 3600 * 1000;

/** When a teardown's archive is past SCS_ARCHIVE_RETENTION_DAYS (and may have been purged). */
function archiveExpiresAt(archive: ArchivedDatabase, retentionDays: number): string {
  return new Date(Date.parse(archive.archivedAt) + retentionDays * DAY_MS).toISOString();
}

/**
 * Why a school cannot be restored now, or its archive when it can: it must be deleted (not on its way
 * there, nor restoring already), with an archive of its database still within the retention.
 */
export function restorableArchive(school: SchoolState, now: string, retentionDays: number): ArchivedDatabase {
  if (school.status !== 'deleted') {
    throw new DomainError('not_deleted', `school ${school.id} is ${school.status}; only a deleted school is restored`);
  }
  const archive = school.archive;
  if (!archive) {
    throw new DomainError('archive_expired', `school ${school.id} has no archive of its database to restore from`);
  }
  // SCS_ARCHIVE_RETENTION_DAYS=0 keeps archives forever.
  const expiresAt = archiveExpiresAt(archive, retentionDays);
  if (retentionDays > 0 && Date.parse(now) >= Date.parse(expiresAt)) {
    const detail = `school ${school.id}'s archive expired at ${expiresAt} (retention ${retentionDays} days)`;
    throw new DomainError('archive_expired', detail);
  }
  return archive;
}

/** The events a restore request records: the request, and the slug claimed again for the school. */
export function requestRestore(
  school: SchoolState,
  request: { now: string; notify: boolean; retentionDays: number; slugStream: string; slugRevision: number },
): [EventOf<'SchoolRestoreRequested'>, EventOf<'SlugReserved'>] {
  const { now, notify, slugStream, slugRevision } = request;
  const archive = restorableArchive(school, now, request.retentionDays);
  const slug = school.details.slug;
  return [
    { type: 'SchoolRestoreRequested', data: { requestedAt: now, archive, notify, statusBefore: school.status } },
    { type: 'SlugReserved', data: { slug, slugStream, slugRevision, attempt: 1, startedAt: now, finishedAt: now } },
  ];
}
