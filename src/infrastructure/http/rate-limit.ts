import { createHash } from 'node:crypto';
import { HttpException, Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import { problem } from './problem.js';

const UNLIMITED_PATHS = new Set(['/health', '/ready', '/metrics']);

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();

/**
 * Two limits per minute: every client (by address) on every route, which also caps guessing at keys,
 * and the POSTs made with each API key (tracked by a hash of the presented key, never the key).
 */
export function rateLimits(perClient: number, postsPerKey: number): ThrottlerModuleOptions {
  return {
    throttlers: [
      { name: 'client', ttl: 60_000, limit: perClient, getTracker: (req) => String(req.ip ?? 'unknown') },
      {
        name: 'posts',
        ttl: 60_000,
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

/** The throttler's 429, as problem+json with Retry-After like every other error. */
@Injectable()
export class ProblemThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire ?? detail.timeToExpire ?? 60));
    context.switchToHttp().getResponse().setHeader('Retry-After', String(retryAfter));
    const what = detail.key.includes('posts') ? 'POST requests with this API key' : 'requests from this client';
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
