import { createHash } from 'node:crypto';
import { HttpException, Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { problem } from './problem.js';

const UNLIMITED_PATHS = new Set(['/health', '/ready', '/metrics']);
/** Both limits count a minute. */
const WINDOW_SECONDS = 60;

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();

/**
 * Two limits per minute: every client (by address) on every route, which also caps guessing at keys,
 * and the POSTs made with each API key (tracked by a hash of the presented key, never the key).
 */
export function rateLimits(perClient: number, postsPerKey: number): ThrottlerModuleOptions {
  return {
    throttlers: [
      {
        name: 'client',
        ttl: WINDOW_SECONDS * 1000,
        limit: perClient,
        getTracker: (req) => String(req.ip ?? 'unknown'),
      },
      {
        name: 'posts',
        ttl: WINDOW_SECONDS * 1000,
        limit: postsPerKey,
        skipIf: (context) => requestOf(context).method !== 'POST',
        getTracker: (req) => {
          const key = req.headers?.['x-scs-key'];
          return `key:${createHash('sha256')
            .update(typeof key === 'string' ? key : '')
            .digest('hex')
            .slice(0, 24)}`;
        },
      },
    ],
    skipIf: (context) => UNLIMITED_PATHS.has(requestOf(context).path),
  };
}

/** What the throttler reports of one limit for this request: its quota, what is left, seconds to its reset. */
type Quota = { q?: number; r?: number; t?: number };
/** The throttler's own headers, `X-RateLimit-Limit-client` and the like, read for the fields they become. */
const THROTTLER_HEADER = /^X-RateLimit-(Limit|Remaining|Reset)-(\w+)$/;
const FIELD = { Limit: 'q', Remaining: 'r', Reset: 't' } as const;

/**
 * The limits that applied to a request as the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers-11,
 * Structured Field lists): `RateLimit-Policy: "client";q=600;w=60` and `RateLimit: "client";r=599;t=42`,
 * with `"posts"` beside `"client"` on a POST.
 */
function writeRateLimitFields(res: Response, name: string, quota: Quota): void {
  const quotas: Map<string, Quota> = (res.locals.rateLimits ??= new Map());
  quotas.set(name, { ...quotas.get(name), ...quota });
  const known = [...quotas].filter(([, q]) => q.q !== undefined && q.r !== undefined && q.t !== undefined);
  if (known.length === 0) return;
  res.setHeader('RateLimit-Policy', known.map(([n, q]) => `"${n}";q=${q.q};w=${WINDOW_SECONDS}`).join(', '));
  res.setHeader('RateLimit', known.map(([n, q]) => `"${n}";r=${q.r};t=${q.t}`).join(', '));
}

/**
 * The throttler's 429, as problem+json with Retry-After like every other error; its limits as the IETF
 * RateLimit fields instead of its own `X-RateLimit-*-client` headers.
 */
@Injectable()
export class ProblemThrottlerGuard extends ThrottlerGuard {
  protected override setResponseHeader(res: Response, name: string, value: string | number): void {
    const header = THROTTLER_HEADER.exec(name);
    // `Retry-After-client` and the like are left out: the 429 sets Retry-After itself.
    if (!header) return;
    const field = FIELD[header[1] as keyof typeof FIELD];
    writeRateLimitFields(res, header[2]!, { [field]: Math.max(0, Math.ceil(Number(value))) });
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire ?? detail.timeToExpire ?? 60));
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(retryAfter));
    // The key is a hash; the tracker says which limit it was (the posts' is `key:<hash of the API key>`).
    const posts = detail.tracker.startsWith('key:');
    writeRateLimitFields(res, posts ? 'posts' : 'client', { q: detail.limit, r: 0, t: retryAfter });
    const what = posts ? 'POST requests with this API key' : 'requests from this client';
    throw new HttpException(
      problem(
        429,
        'too-many-requests',
        'Too many requests',
        `too many ${what}: at most ${detail.limit} a minute; retry in ${retryAfter} s`,
      ),
      429,
    );
  }
}
