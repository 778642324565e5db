import type { Request } from 'express';

/**
 * The route that answered, as declared (`/school/:id`), for logs and metric labels: never the raw
 * path, which would put ids and anything a client makes up into a label. Unrouted: `unmatched`.
 */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}
