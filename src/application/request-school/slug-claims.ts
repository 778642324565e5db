import { slugStreamId } from '../../domain/school/slug.js';
import { schoolStreamId } from '../../domain/school/events.js';
import type { EventMetadata, EventStore } from '../ports/event-store.port.js';
import { WrongExpectedRevisionError } from '../ports/event-store.port.js';

export class SlugTakenError extends Error {
  constructor(readonly slug: string) {
    super(`slug "${slug}" is taken`);
    this.name = 'SlugTakenError';
  }
}

/**
 * Claims a slug for a school: its stream `school_slug-<slug>` is appended with "no stream" (or with
 * the revision of its last release), so exactly one concurrent claimant wins; the others read the
 * winner's claim and get SlugTakenError. A claim whose school stream never appeared (the process died
 * between the two appends) is abandoned after `abandonAfterMs` and may be taken over.
 */
export async function claimSlug(
  store: EventStore,
  slug: string,
  schoolId: string,
  metadata: EventMetadata,
  abandonAfterMs = 60_000,
): Promise<{ stream: string; revision: number }> {
  const stream = slugStreamId(slug);
  for (let round = 0; round < 5; round++) {
    const events = await store.readStream(stream);
    const last = events[events.length - 1];
    const claim = { type: 'SlugClaimed', data: { slug, schoolId }, metadata };
    try {
      if (!last) {
        const result = await store.append(stream, [claim], 'no_stream');
        return { stream, revision: result.nextExpectedRevision };
      }
      if (last.type === 'SlugReleased') {
        const result = await store.append(stream, [claim], last.revision);
        return { stream, revision: result.nextExpectedRevision };
      }
      const holder = String(last.data.schoolId);
      if (holder === schoolId) return { stream, revision: last.revision };
      const age = Date.parse(metadata.now) - last.recordedAt.getTime();
      const holderExists = (await store.readStream(schoolStreamId(holder), { maxCount: 1 })).length > 0;
      if (holderExists || age < abandonAfterMs) throw new SlugTakenError(slug);
      const release = { type: 'SlugReleased', data: { slug, schoolId: holder, reason: 'abandoned claim: the school was never recorded' }, metadata };
      const result = await store.append(stream, [release, claim], last.revision);
      return { stream, revision: result.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Someone else appended first: read again to see whether they claimed it.
    }
  }
  throw new SlugTakenError(slug);
}

/** Releases the slug if this school still holds it; idempotent. */
export async function releaseSlug(store: EventStore, slug: string, schoolId: string, metadata: EventMetadata): Promise<{ released: boolean }> {
  const stream = slugStreamId(slug);
  for (let round = 0; round < 5; round++) {
    const events = await store.readStream(stream);
    const last = events[events.length - 1];
    if (!last || last.type !== 'SlugClaimed' || String(last.data.schoolId) !== schoolId) return { released: false };
    try {
      await store.append(stream, [{ type: 'SlugReleased', data: { slug, schoolId }, metadata }], last.revision);
      return { released: true };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
  throw new Error(`could not release slug ${slug}: the slug stream kept changing`);
}
