import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { PUBLIC_ROUTE, ROUTE_SCOPE, type RouteAccess } from './api-key.guard.js';

/** One route of a controller as Nest registers it, with what it declares it needs. */
export interface RouteEntry {
  method: string;
  /** Express's form, `/school/:id`. */
  path: string;
  handler: string;
  /** `public` (no key), a scope, `any-key`, or undefined: declared nothing (refused at start-up). */
  access: RouteAccess | 'public' | undefined;
}

type Constructor = abstract new (...args: never[]) => unknown;

const joined = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

const paths = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value ?? '')]);

/** Every route of these controllers, read from the same metadata Nest's router is built from. */
export function routeTable(controllers: readonly Constructor[]): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const controller of controllers) {
    const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    for (const handler of Object.getOwnPropertyNames(prototype)) {
      const fn = prototype[handler];
      if (handler === 'constructor' || typeof fn !== 'function') continue;
      const methodNumber = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      const routePaths = Reflect.getMetadata(PATH_METADATA, fn) as unknown;
      if (methodNumber === undefined || routePaths === undefined) continue;
      const isPublic = Reflect.getMetadata(PUBLIC_ROUTE, fn) ?? Reflect.getMetadata(PUBLIC_ROUTE, controller);
      const declared = (Reflect.getMetadata(ROUTE_SCOPE, fn) ?? Reflect.getMetadata(ROUTE_SCOPE, controller)) as
        RouteAccess | undefined;
      const access = isPublic ? 'public' : declared;
      for (const prefix of prefixes)
        for (const path of paths(routePaths))
          routes.push({ method: RequestMethod[methodNumber], path: joined(prefix, path), handler, access });
    }
  }
  return routes;
}

/** Refuses to build an application with a keyed route that declares no scope. */
export function assertScopesDeclared(controllers: readonly Constructor[]): void {
  const undeclared = routeTable(controllers).filter((route) => route.access === undefined);
  if (undeclared.length > 0)
    throw new Error(
      `every route must declare its scope (@RequireScope, @AnyKey or @Public); these do not: ${undeclared
        .map((r) => `${r.method} ${r.path} (${r.handler})`)
        .join(', ')}`,
    );
}
