import { InvalidArgumentError } from 'commander';
import { isSchoolId } from '../domain/school/events.js';
import type { SchoolQueries } from '../school/view/school-queries.js';
import { CliFailure } from './cli.js';

/** Statuses whose school has given its slug back (a rollback or a teardown released it). */
const RELEASED = new Set(['failed', 'deleted']);

/** Argument parser: a school's id (a UUID) or its slug, as typed; which school it is is found later. */
export function schoolRefArg(value: string): string {
  const ref = value.toLowerCase();
  if (!isSchoolId(ref) && !/^[a-z0-9-]{1,63}$/.test(ref)) {
    throw new InvalidArgumentError('expected a school id (a UUID) or its slug.');
  }
  return ref;
}

/**
 * The id of the school `ref` names: an id as it is; a slug through the read model (`GET /schools?slug=`).
 * A slug names one school at a time, but one freed by a failed or deleted school may have been taken since:
 * the school holding it wins, else the one school that ever had it; several that all gave it back are
 * listed for the operator to choose by id.
 */
export async function resolveSchool(
  queries: Pick<SchoolQueries, 'list'>,
  ref: string,
  options: { deleted?: boolean } = {},
): Promise<string> {
  if (isSchoolId(ref)) return ref;
  const { items } = await queries.list({ slug: ref, limit: 500, offset: 0 });
  // A restore names a deleted school: the one deleted school that had the slug, whoever holds it now.
  const deleted = items.filter((s) => s.status === 'deleted');
  if (options.deleted && deleted.length === 1) return deleted[0].id;
  const holders = items.filter((s) => !RELEASED.has(s.status));
  if (holders.length === 1) return holders[0].id;
  if (items.length === 1) return items[0].id;
  if (items.length === 0) throw new CliFailure(`no school with id or slug ${ref}`);
  const listed = items.map((s) => `  ${s.id}  ${s.status}  created ${s.createdAt}`);
  throw new CliFailure([`slug ${ref} names ${items.length} schools; give the id of one:`, ...listed].join('\n'));
}
