import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Scope } from '../config/scopes.js';
import { activeTraceparent } from '../adapters/tracing/otel-tracing.js';

const CORRELATION_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** W3C Trace Context `traceparent` (version 00 layout; version ff and all-zero ids are invalid). */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export type ScsRequest = Request & {
  /** The API key's id (set by ApiKeyGuard) and what it may do. */
  actor?: string;
  scopes?: ReadonlySet<Scope>;
  correlationId?: string;
  traceparent?: string;
  requestId?: string;
};

/** The request as the origin of the events it appends (its id is their causation id). */
export function originOf(req: ScsRequest): { requestId: string; clientAddress?: string } {
  return { requestId: req.requestId ?? randomUUID(), ...(req.ip ? { clientAddress: req.ip } : {}) };
}

/**
 * Takes a well-formed X-Correlation-Id from the caller (or makes one) and echoes it back, and keeps a
 * `traceparent` to record beside it: with tracing on, this request's own span (a child of the caller's,
 * when it sent one), so that the school's step spans join the request's trace; with tracing off, the
 * caller's header when it is well formed (a malformed one is ignored, as the W3C spec asks).
 */
export function correlationMiddleware(req: ScsRequest, res: Response, next: NextFunction): void {
  const given = req.headers['x-correlation-id'];
  req.correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
  req.requestId = randomUUID();
  const traceparent = req.headers.traceparent;
  if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent.trim())) req.traceparent = traceparent.trim();
  req.traceparent = activeTraceparent() ?? req.traceparent;
  res.setHeader('X-Correlation-Id', req.correlationId);
  next();
}

/** The body types body-parser parses as JSON: a PATCH may say it is a JSON merge patch (RFC 7396). */
export const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * Bodies are JSON only: a body of any other content type gets 415 before it is parsed. A POST without a
 * body (POST /school/:id/retry) has no content type to check; POST /school without one gets its 400.
 */
export function jsonOnlyMiddleware(req: Request, res: Response, next: NextFunction): void {
  const hasBody =
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
    req.headers['transfer-encoding'] !== undefined;
  const accepted = req.method === 'PATCH' ? JSON_TYPES : JSON_TYPES.slice(0, 1);
  if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && hasBody && !req.is(accepted)) {
    unsupported(res, `send the body as ${accepted.join(' or ')}`);
    return;
  }
  // JSON is UTF-8 (RFC 8259): any other declared charset is refused rather than guessed at.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    unsupported(res, `the body must be UTF-8, not ${charset.slice(0, 40)}`);
    return;
  }
  next();
}

function unsupported(res: Response, detail: string): void {
  res
    .status(415)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'https://scs.syncad.in/problems/unsupported-media-type',
        title: 'Unsupported media type',
        status: 415,
        detail,
      }),
    );
}
