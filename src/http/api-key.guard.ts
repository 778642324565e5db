import { createHash, timingSafeEqual } from 'node:crypto';
import {
  applyDecorators,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { API_KEY_SCHEME } from './openapi/openapi.js';
import { problem } from './problem.js';
import type { ScsRequest } from './request-context.js';
import { routeOf } from './route-of.js';
import { SCOPES, type Scope } from '../config/scopes.js';

export const PUBLIC_ROUTE = 'scs:public';
/** What a route needs: a scope, or `any-key` (any valid key, whatever its scopes: GET /me). */
export const ROUTE_SCOPE = 'scs:scope';
export type RouteAccess = Scope | 'any-key';

/** Marks a route that needs no API key (health and readiness). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The scope a route needs, next to its handler: the guard enforces it, and the OpenAPI document lists it
 * in the operation's security requirement and as `x-scopes`.
 */
export const RequireScope = (scope: Scope) =>
  applyDecorators(
    SetMetadata(ROUTE_SCOPE, scope),
    ApiSecurity(API_KEY_SCHEME, [scope]),
    ApiExtension('x-scopes', [scope]),
  );

/** A route any valid key may call (it tells the key about itself). */
export const AnyKey = () =>
  applyDecorators(SetMetadata(ROUTE_SCOPE, 'any-key'), ApiSecurity(API_KEY_SCHEME), ApiExtension('x-scopes', []));

export interface ApiKey {
  /** Recorded as the actor in events' metadata; never the secret itself. */
  id: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

/** A configured key; without an id of its own it is named by a short hash of the secret; without scopes, all. */
export function apiKey(key: { id?: string; secret: string; scopes?: readonly Scope[] }): ApiKey {
  const digest = createHash('sha256').update(key.secret).digest();
  const id = key.id ?? `key-${digest.toString('hex').slice(0, 8)}`;
  return { id, digest, scopes: new Set(key.scopes ?? SCOPES) };
}

/** A request the guard refused: no or a wrong key (no key id), or a key without the route's scope. */
export interface Denial {
  reason: 'unauthorized' | 'missing-scope';
  keyId?: string;
  scope?: Scope;
  method: string;
  route: string;
}

/**
 * Checks X-SCS-Key against every configured key in constant time: both sides are hashed to the same
 * length first, and every key is compared, so neither length nor position leaks through timing. Then the
 * route's declared scope: a route that declares none is refused to every key (fail closed; AppModule also
 * refuses to start with one).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKey[],
    private readonly onDenied: (denial: Denial) => void = () => undefined,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<ScsRequest>();
    const header = req.headers['x-scs-key'];
    const presented = createHash('sha256')
      .update(typeof header === 'string' ? header : '')
      .digest();
    let match: ApiKey | undefined;
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest) && typeof header === 'string') match = key;
    const where = { method: req.method, route: routeOf(req) };
    if (!match) {
      this.onDenied({ reason: 'unauthorized', ...where });
      throw new UnauthorizedException(
        problem(401, 'unauthorized', 'Missing or invalid API key', 'send the key in the X-SCS-Key header'),
      );
    }
    req.actor = match.id;
    req.scopes = match.scopes;
    const needed = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_SCOPE, targets);
    if (needed === 'any-key') return true;
    if (needed && match.scopes.has(needed)) return true;
    this.onDenied({ reason: 'missing-scope', keyId: match.id, scope: needed, ...where });
    const detail = needed
      ? `the key "${match.id}" lacks the scope ${needed}`
      : 'this route declares no scope, so no key may call it';
    throw new ForbiddenException(
      problem(403, 'missing-scope', 'Missing scope', detail, needed ? { scope: needed } : {}),
    );
  }
}
