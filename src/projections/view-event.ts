import type { StoredSchoolEvent } from '../domain/school/upcast.js';

/**
 * What a reporting view is given: a school event as recorded, with the time it was decided
 * (`metadata.now`) and its revision. Its type may be one this version does not know (a newer
 * process's), which every view ignores, or a legacy one, which a view reads through `upcast`.
 */
export type ViewEvent = StoredSchoolEvent & { metadata: { now: string }; revision: number };
