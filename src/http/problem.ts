import type { Response } from 'express';

/** RFC 9457 problem details; `type` is a stable slug clients can switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
  [key: string]: unknown;
}

export const PROBLEM_BASE = 'https://scs.syncad.in/problems/';

export function problem(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): Problem {
  return { type: `${PROBLEM_BASE}${slug}`, title, status, ...(detail ? { detail } : {}), ...extra };
}

export function sendProblem(res: Response, body: Problem, instance?: string): void {
  if (res.headersSent) return;
  // RFC 9110 §11.6.1: a 401 names the scheme the client must use.
  if (body.status === 401) res.setHeader('WWW-Authenticate', 'X-SCS-Key realm="scs"');
  // A problem that names when to come back says it in the header too (a 409 for a slug whose claim may be abandoned).
  if (typeof body.retryAfter === 'number') res.setHeader('Retry-After', String(body.retryAfter));
  // Every 503 is a dependency that cannot be reached right now: tell the client when to try again.
  if (body.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
  res
    .status(body.status)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, ...(instance ? { instance } : {}) }));
}
