import { isSchoolStatus, SCHOOL_STATUSES } from '../../domain/school/state.js';
import { decodeCursor } from './list-cursor.js';
import type { SchoolFilters } from './list-statement.js';
import { invalidQuery, onlyKnown, queryInt, queryText } from '../../http/query-params.js';

const LIST_PARAMETERS = ['status', 'district', 'board', 'schemaVersion', 'slug', 'q', 'limit', 'offset', 'after'];

/**
 * GET /schools' query as the read model's filters; a 400 problem for the first parameter at fault (checked
 * in this order: unknown ones, status, schemaVersion, after, slug, q, district, board, limit, offset).
 */
export function schoolListFilters(query: Record<string, unknown>): SchoolFilters {
  onlyKnown(query, LIST_PARAMETERS);
  const status = statusOf(query);
  const schemaVersion = schemaVersionOf(query);
  const after = cursorOf(query);
  return {
    status,
    schemaVersion,
    ...searchOf(query),
    district: queryText(query.district, 'district'),
    board: queryText(query.board, 'board'),
    limit: queryInt(query.limit, 'limit', 50, 1, 500),
    offset: queryInt(query.offset, 'offset', 0, 0, 10_000_000),
    ...(after ? { after } : {}),
  };
}

function statusOf(query: Record<string, unknown>): string | undefined {
  const status = queryText(query.status, 'status', 20);
  if (status !== undefined && !isSchoolStatus(status))
    throw invalidQuery('status', `status must be one of ${SCHOOL_STATUSES.join(', ')}`, 'is not a status');
  return status;
}

function schemaVersionOf(query: Record<string, unknown>): string | undefined {
  const schemaVersion = queryText(query.schemaVersion, 'schemaVersion', 20);
  if (schemaVersion !== undefined && !/^[0-9]{4}$/.test(schemaVersion)) {
    const detail = 'schemaVersion must be a migration version of four digits such as 0005';
    throw invalidQuery('schemaVersion', detail, 'is not a schema version');
  }
  return schemaVersion;
}

/** `?after=`: the `next` of a page this service answered. */
function cursorOf(query: Record<string, unknown>): SchoolFilters['after'] {
  const afterText = queryText(query.after, 'after', 200);
  const after = afterText === undefined ? undefined : decodeCursor(afterText);
  if (afterText !== undefined && !after)
    throw invalidQuery('after', 'after must be the `next` of a page this service answered', 'is not a page cursor');
  return after;
}

/** `?slug=` (exact; DNS labels have no case) and `?q=` (a prefix of the name or the slug). */
function searchOf(query: Record<string, unknown>): { slug?: string; q?: string } {
  const slug = queryText(query.slug, 'slug', 63)?.toLowerCase();
  if (slug !== undefined && !/^[a-z0-9-]+$/.test(slug)) {
    throw invalidQuery('slug', 'slug may contain only letters a-z, digits 0-9 and hyphens', 'is not a slug');
  }
  const q = queryText(query.q, 'q', 200);
  if (q === '') throw invalidQuery('q', 'q must be 1 to 200 characters', 'is empty');
  return { slug, q };
}
