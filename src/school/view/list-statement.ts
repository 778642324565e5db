import type { ListCursor } from './list-cursor.js';

export interface SchoolFilters {
  status?: string;
  district?: string;
  board?: string;
  schemaVersion?: string;
  /** Exactly this slug. */
  slug?: string;
  /** A prefix of the name (in any case) or of the slug. */
  q?: string;
  limit: number;
  offset: number;
  /** Keyset paging: the rows after this one in the list's order (`next` of the page before). */
  after?: ListCursor;
}

const KEY_COLUMNS = 'id::text AS id, revision, document_version AS version';
const LIST_KEY_COLUMNS = `${KEY_COLUMNS}, created_at::text AS created`;
const LIST_COLUMNS = `${LIST_KEY_COLUMNS}, document::text AS document`;
const FILTERS = [
  ['status', 'status'],
  ['district', 'district'],
  ['board', 'board'],
  ['schemaVersion', 'schema_version'],
  ['slug', 'slug'],
] as const;

/** `q` as a LIKE pattern: itself (its wildcards escaped), then anything. */
const prefixPattern = (q: string): string => `${q.replace(/[\\%_]/g, '\\$&')}%`;

/** The filters' conditions, their values numbered from `$1`. */
function conditions(filters: SchoolFilters): { where: string[]; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  for (const [key, column] of FILTERS) {
    if (filters[key] === undefined) continue;
    values.push(filters[key]);
    where.push(`${column} = $${values.length}`);
  }
  if (filters.q !== undefined) {
    values.push(prefixPattern(filters.q));
    // lower($n) is folded into the pattern when the statement is planned with its value, which the
    // indexes on lower(name) and slug (text_pattern_ops) need to serve a LIKE.
    where.push(`(lower(name) LIKE lower($${values.length}) OR slug LIKE lower($${values.length}))`);
  }
  return { where, values };
}

/**
 * A page of the list with the filter's total, in one statement. Each is a named (prepared) statement,
 * parsed and planned once per connection (but a search by `q`, below). The order is the table's `id` (a
 * uuid), not the `id` text column of the answer, so a page is read from the index `(created_at, id)` (or
 * `(<filter>, created_at, id)`) and stops after `limit` rows; a search by `q` or `slug` reads its few
 * matches from the prefix indexes (central migration 0031) and sorts them. Rows carry their documents
 * when `documents` is set.
 */
export function listStatement(
  filters: SchoolFilters,
  documents: boolean,
): { name?: string; text: string; values: unknown[] } {
  const { where, values } = conditions(filters);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The total counts the filter's schools; the page starts after the cursor, read from the same index
  // position on, so a deep page costs what the first does (an offset reads every row before it).
  const pageWhere = [...where];
  if (filters.after) {
    values.push(filters.after.createdAt, filters.after.id);
    pageWhere.push(
      `(created_at, school_read_model.id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`,
    );
  }
  const pageClause = pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : '';
  const page = `SELECT ${documents ? LIST_COLUMNS : LIST_KEY_COLUMNS} FROM school_read_model ${pageClause}
    ORDER BY created_at, school_read_model.id LIMIT $${values.length + 1} OFFSET $${values.length + 2}`;
  // One round trip: the total beside the page, and one row with no school when the page is empty.
  const text = `SELECT (SELECT count(*)::int FROM school_read_model ${clause}) AS total, p.*
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (${page}) AS p ON true`;
  const keys = FILTERS.filter(([key]) => filters[key] !== undefined).map(([key]) => key);
  const name = `school-list${documents ? '' : '-keys'}:${[...keys, ...(filters.after ? ['after'] : [])].join(',')}`;
  // With q, unnamed: a named statement may be planned once for any value (a generic plan), and a LIKE whose
  // pattern is unknown when planned reads every row; an unnamed one is planned with its value each time.
  return { name: filters.q === undefined ? name : undefined, text, values: [...values, filters.limit, filters.offset] };
}
