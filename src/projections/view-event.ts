import type { SchoolEvent } from '../domain/school/events.js';

/**
 * What a reporting view is given: a school event as recorded, with the time it was decided
 * (`metadata.now`) and its revision. Its type may be one this version does not know (a newer
 * process's); every view ignores those.
 */
export type ViewEvent = SchoolEvent & { metadata: { now: string }; revision: number };
