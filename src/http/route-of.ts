import type { Request } from 'express';

/**
 * The route that answered, as declared (`/school/:id`), for logs and metric labels: never the raw
 * path, which would put ids and anything a client makes up into a label. An answer given before routing
 * (a 400, 405, 413 or 415 of the HTTP edges) has the route its path matches (`methodNotAllowed` keeps
 * it); a path no route matches: `unmatched`.
 */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  const matched: unknown = req.res?.locals.route;
  return typeof matched === 'string' ? matched : 'unmatched';
}
