import { NotFoundException } from '@nestjs/common';
import { ApiHeader, ApiParam } from '@nestjs/swagger';
import type { Response } from 'express';
import { isSchoolId } from '../domain/school/events.js';
import { problem } from './problem.js';

/** What the school routes share: the id parameter, its 404, JSON text sent as is, their documented headers. */
export function notFound(): NotFoundException {
  return new NotFoundException(problem(404, 'school-not-found', 'School not found', 'no school has this id'));
}

/** Ids are generated UUIDs; anything else cannot name a school (and never reaches a query). */
export function schoolId(raw: string): string {
  if (!isSchoolId(raw)) throw notFound();
  return raw;
}

/** Sends JSON text the read model made as `res.json` sends an object: the same headers and bytes. */
export function sendJson(res: Response, json: string): void {
  if (!res.get('Content-Type')) res.set('Content-Type', 'application/json');
  res.send(json);
}

/** The ETag of an answer: strong, since it is the digest of the exact bytes sent (so If-Match may use it). */
export function etagOf(digest: string): string {
  return `"${digest}"`;
}

export const SCHOOL_ID = ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } });
export const IDEMPOTENCY_KEY = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: '1-200 visible ASCII characters: a retry with the same key and request gets the first answer again',
});
export const LOCATION = { Location: { description: '/school/<id>', schema: { type: 'string' } } };
export const ETAG = {
  ETag: {
    description: "strong: the digest of the answer's bytes; changes when the school does (send it as If-Match)",
    schema: { type: 'string' },
  },
};
