import { SLUG_STREAM_PREFIX, slugStreamId } from '../../domain/school/slug.js';
import { decideSlug, foldSlug, type SlugCommand, type SlugEvent } from '../../domain/school/slug-claim.js';
import { schoolStreamId } from '../../domain/school/events.js';
import type { EventMetadata, EventStore, GlobalPosition } from '../../ports/event-store.port.js';
import { WrongExpectedRevisionError } from '../../ports/event-store.port.js';

/**
 * A claim whose school was not recorded this long after it is taken as abandoned (its request died
 * between the two appends). A live request records its school within milliseconds of its claim.
 */
const ABANDONED_CLAIM_AFTER_MS = 5_000;

export class SlugTakenError extends Error {
  /** Set when the holder's school was never recorded: the claim is taken over after that many seconds. */
  constructor(
    readonly slug: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      retryAfterSeconds
        ? `slug "${slug}" is claimed by a request that has not recorded its school; ` +
            `if it never does, the slug is free in ${retryAfterSeconds} s`
        : `slug "${slug}" is taken`,
    );
    this.name = 'SlugTakenError';
  }
}

/**
 * Claims a slug for a school: its stream `school_slug-<slug>` is appended with "no stream" (or with
 * the revision of its last release), so exactly one concurrent claimant wins; the others read the
 * winner's claim and get SlugTakenError. A claim whose school stream never appeared (the process died
 * between the two appends) is taken over once it is `abandonAfterMs` old, after fencing that school.
 */
export async function claimSlug(
  store: EventStore,
  slug: string,
  schoolId: string,
  metadata: EventMetadata,
  abandonAfterMs = ABANDONED_CLAIM_AFTER_MS,
): Promise<{ stream: string; revision: number }> {
  const stream = slugStreamId(slug);
  for (let round = 0; round < 5; round++) {
    const events = await store.readStream(stream);
    const last = events[events.length - 1];
    const expected = last ? last.revision : 'no_stream';
    const append = async (decided: SlugEvent[]) => {
      if (decided.length === 0) return { stream, revision: last!.revision };
      const result = await store.append(
        stream,
        decided.map((e) => ({ ...e, metadata })),
        expected,
      );
      return { stream, revision: result.nextExpectedRevision };
    };
    try {
      const state = foldSlug(events);
      if (!state.holder || state.holder === schoolId) return await append(decideSlug(claim(slug, schoolId), state));
      await refuseUnlessAbandoned(store, slug, state.holder, Date.parse(metadata.now) - last!.recordedAt.getTime(), {
        metadata,
        abandonAfterMs,
      });
      const takeOver = { slug, schoolId, from: state.holder, reason: ABANDONED_REASON };
      return await append(decideSlug({ type: 'TakeOverSlug', data: takeOver }, state));
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Someone else appended first: read again to see whether they claimed it.
    }
  }
  throw new SlugTakenError(slug);
}

const claim = (slug: string, schoolId: string): SlugCommand => ({ type: 'ClaimSlug', data: { slug, schoolId } });

/**
 * Throws SlugTakenError unless the holder's claim was abandoned: its school was never recorded and the
 * claim is `abandonAfterMs` old (then its school is fenced, so it never will be).
 */
async function refuseUnlessAbandoned(
  store: EventStore,
  slug: string,
  holder: string,
  ageMs: number,
  { metadata, abandonAfterMs }: { metadata: EventMetadata; abandonAfterMs: number },
): Promise<void> {
  const recorded = (await store.readStream(schoolStreamId(holder), { maxCount: 1 }))[0];
  if (recorded?.type === ABANDONED) return;
  if (recorded) throw new SlugTakenError(slug);
  const wait = abandonAfterMs - ageMs;
  if (wait > 0) throw new SlugTakenError(slug, Math.ceil(wait / 1000));
  if (!(await fenceAbandonedSchool(store, holder, slug, metadata))) throw new SlugTakenError(slug);
}

const ABANDONED = 'SchoolRequestAbandoned';
const ABANDONED_REASON = 'abandoned claim: the school was never recorded';

/**
 * Makes an abandoned claim's school impossible to record: its stream gets `SchoolRequestAbandoned`,
 * expecting "no stream". The request that claimed records its school expecting "no stream" too, so of
 * a late request and a takeover exactly one wins, and a slug never ends up with two schools. False when
 * the school was recorded after all.
 */
async function fenceAbandonedSchool(
  store: EventStore,
  schoolId: string,
  slug: string,
  metadata: EventMetadata,
): Promise<boolean> {
  const stream = schoolStreamId(schoolId);
  try {
    const fence = { type: ABANDONED, data: { schoolId, slug, reason: ABANDONED_REASON }, metadata };
    await store.append(stream, [fence], 'no_stream');
    return true;
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
    return (await store.readStream(stream, { maxCount: 1 }))[0]?.type === ABANDONED;
  }
}

/** A slug held by a claim whose school was never recorded (its request died between the appends). */
export interface AbandonedClaim {
  slug: string;
  schoolId: string;
  claimedAt: string;
}

/**
 * Lists the claims whose school stream does not hold a school and that are older than
 * `abandonAfterMs`; `knownSchools` are the ids whose school was recorded. The next request for such a
 * slug takes it over; `release` fences each school and releases its slug now.
 */
export async function abandonedClaims(
  store: EventStore,
  knownSchools: ReadonlySet<string>,
  options: { now: string; release?: EventMetadata; abandonAfterMs?: number },
): Promise<AbandonedClaim[]> {
  const holders = new Map<string, AbandonedClaim | undefined>();
  let after: GlobalPosition | undefined;
  for (
    let page = await store.readAll({ streamPrefix: SLUG_STREAM_PREFIX, maxCount: 1000 });
    page.length > 0;
    page = await store.readAll({ after, streamPrefix: SLUG_STREAM_PREFIX, maxCount: 1000 })
  ) {
    for (const e of page) {
      const claimedAt = e.recordedAt.toISOString();
      const claim = { slug: String(e.data.slug), schoolId: String(e.data.schoolId), claimedAt };
      holders.set(e.streamId, e.type === 'SlugClaimed' ? claim : undefined);
    }
    after = page[page.length - 1].position;
  }
  const cutoff = Date.parse(options.now) - (options.abandonAfterMs ?? ABANDONED_CLAIM_AFTER_MS);
  const found = [...holders.values()].filter(
    (c): c is AbandonedClaim => !!c && !knownSchools.has(c.schoolId) && Date.parse(c.claimedAt) <= cutoff,
  );
  const abandoned: AbandonedClaim[] = [];
  for (const claim of found) {
    if (!options.release) abandoned.push(claim);
    else if (await fenceAbandonedSchool(store, claim.schoolId, claim.slug, options.release)) {
      await releaseSlug(store, claim.slug, claim.schoolId, options.release, ABANDONED_REASON);
      abandoned.push(claim);
    }
  }
  return abandoned;
}

/** Releases the slug if this school still holds it; idempotent. */
export async function releaseSlug(
  store: EventStore,
  slug: string,
  schoolId: string,
  metadata: EventMetadata,
  reason?: string,
): Promise<{ released: boolean }> {
  const stream = slugStreamId(slug);
  for (let round = 0; round < 5; round++) {
    const events = await store.readStream(stream);
    const decided = decideSlug({ type: 'ReleaseSlug', data: { slug, schoolId, reason } }, foldSlug(events));
    if (decided.length === 0) return { released: false };
    try {
      const last = events[events.length - 1];
      await store.append(
        stream,
        decided.map((e) => ({ ...e, metadata })),
        last.revision,
      );
      return { released: true };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
  throw new Error(`could not release slug ${slug}: the slug stream kept changing`);
}
