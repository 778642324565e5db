import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { problem } from './problem.js';

export const PUBLIC_ROUTE = 'scs:public';
/** Marks a route that needs no API key (health and readiness). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export interface ApiKey {
  /** Recorded as the actor in events' metadata; never the secret itself. */
  id: string;
  digest: Buffer;
}

/** A configured key; without an id of its own it is named by a short hash of the secret. */
export function apiKey(key: { id?: string; secret: string }): ApiKey {
  const digest = createHash('sha256').update(key.secret).digest();
  return { id: key.id ?? `key-${digest.toString('hex').slice(0, 8)}`, digest };
}

export const API_KEYS = Symbol('ApiKeys');

/**
 * Checks X-SCS-Key against every configured key in constant time: both sides are hashed to the same
 * length first, and every key is compared, so neither length nor position leaks through timing.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKey[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]))
      return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: string }>();
    const header = req.headers['x-scs-key'];
    const presented = createHash('sha256')
      .update(typeof header === 'string' ? header : '')
      .digest();
    let match: ApiKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest) && typeof header === 'string') match = key;
    if (!match) {
      throw new UnauthorizedException(
        problem(401, 'unauthorized', 'Missing or invalid API key', 'send the key in the X-SCS-Key header'),
      );
    }
    req.actor = match.id;
    return true;
  }
}
