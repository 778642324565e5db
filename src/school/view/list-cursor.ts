import { isSchoolId } from '../../domain/school/events.js';

/** Where a page ended: the last row's place in the order `(created_at, id)`. */
export interface ListCursor {
  /** `created_at` as PostgreSQL's text (microseconds and offset), which it reads back exactly. */
  createdAt: string;
  id: string;
}

/** A cursor as the API carries it: opaque, URL-safe. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

/** The cursor `text` names, or undefined when it is not one this service gave. */
export function decodeCursor(text: string): ListCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const [createdAt, id, ...rest] = Buffer.from(text, 'base64url').toString().split('|');
  if (rest.length > 0 || !id || !isSchoolId(id)) return undefined;
  // PostgreSQL's timestamptz text: 2026-12-07 11:50:00.123456+00
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(createdAt)) return undefined;
  return { createdAt, id };
}
