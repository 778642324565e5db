import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { problem, sendProblem } from './problem.js';
import { percentBytes, textFault } from './text-input.js';

/** What SCS needs of Express's router (router 2.x): its route layers, their path and their pure `match`. */
interface RouteLayer {
  route?: { path?: unknown; methods: Record<string, boolean> };
  match(path: string): unknown;
}

/** A path's first segment, lower-cased as Express matches routes: `/School/6f1c…/history` → `school`. */
const firstSegment = (path: string): string => (path.split('/', 2)[1] ?? '').toLowerCase();

/**
 * The route layers by the first segment of their path, so that a request is matched against the few
 * routes that can match it (4 for `/school/…`), not all of them. A route whose path does not begin with
 * a literal segment (a parameter, a pattern) is in every list. Made again when the stack changes size.
 */
class RouteIndex {
  private size = -1;
  private bySegment = new Map<string, RouteLayer[]>();
  private anywhere: RouteLayer[] = [];

  routesFor(stack: unknown[], path: string): RouteLayer[] {
    if (stack.length !== this.size) this.build(stack as RouteLayer[]);
    return this.bySegment.get(firstSegment(path)) ?? this.anywhere;
  }

  private build(stack: RouteLayer[]): void {
    const routes = stack.filter((layer) => layer.route);
    const literal = (layer: RouteLayer) => {
      const path = layer.route?.path;
      const segment = typeof path === 'string' ? firstSegment(path) : '';
      return /^[\w.~-]+$/.test(segment) ? segment : undefined;
    };
    this.anywhere = routes.filter((layer) => literal(layer) === undefined);
    this.bySegment = new Map();
    for (const layer of routes) {
      const segment = literal(layer);
      if (segment === undefined) continue;
      if (!this.bySegment.has(segment)) this.bySegment.set(segment, [...this.anywhere]);
      this.bySegment.get(segment)!.push(layer);
    }
    this.size = stack.length;
  }
}

/**
 * Whether the route matches. A parameter that is not UTF-8 makes Express's match throw: no match here
 * (refuseBadText answers it).
 */
function matches(layer: RouteLayer, path: string): boolean {
  try {
    return Boolean(layer.match(path));
  } catch {
    return false;
  }
}

/**
 * A wrong method on a known route gets 405 with `Allow` (RFC 9110 §15.5.6), not a 404, and OPTIONS on it
 * gets 204 with `Allow` (§9.3.7). The allowed methods are read from the router itself once the routes are
 * registered, so they cannot drift from the controllers. The declared route is kept in `res.locals.route`,
 * so that an answer given before routing (this 405, a 400 or 415 of the edges, body-parser's 413) is
 * still labelled with its route in metrics and logs (`routeOf`). Only the routes that share the request's
 * first path segment are matched (`RouteIndex`): matching every route on every request was about 4% of
 * the CPU of a GET /school/:id.
 */
export function methodNotAllowed(router: () => { stack: unknown[] }) {
  const index = new RouteIndex();
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = new Set<string>();
    for (const layer of index.routesFor(router().stack, req.path)) {
      if (!layer.route || !matches(layer, req.path)) continue;
      if (res.locals.route === undefined && typeof layer.route.path === 'string') res.locals.route = layer.route.path;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') allowed.add(method.toUpperCase());
      }
    }
    if (allowed.size === 0) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.add('OPTIONS');
    const allow = [...allowed].sort().join(', ');
    if (req.method === 'OPTIONS') {
      // A CORS preflight the origin passed (`cors` set the origin's header): the methods are the route's.
      if (res.getHeader('Access-Control-Allow-Origin') !== undefined)
        res.setHeader('Access-Control-Allow-Methods', allow);
      return void res.setHeader('Allow', allow).status(204).end();
    }
    if (allowed.has(req.method)) return next();
    res.setHeader('Allow', allow);
    const detail = `${req.method.slice(0, 20)} is not allowed here; use ${allow}`;
    sendProblem(res, problem(405, 'method-not-allowed', 'Method not allowed', detail), req.path.slice(0, 200));
  };
}

/** What a browser on an allowed origin may send beside the simple headers, and read of the answers. */
const CORS_REQUEST_HEADERS = 'Content-Type, X-SCS-Key, Idempotency-Key, If-Match, If-None-Match';
const CORS_EXPOSED_HEADERS = 'Location, ETag, Retry-After, RateLimit, RateLimit-Policy, X-Correlation-Id';

/**
 * CORS, off unless SCS_CORS_ORIGINS lists origins (`*` for any): a request whose `Origin` is listed gets
 * `Access-Control-Allow-Origin` naming it (with `Vary: Origin`) and the headers it may read; a preflight
 * also gets the headers it may send, and `methodNotAllowed` adds the route's methods. An origin not listed
 * gets no CORS header, so the browser keeps the answer from the page. The key travels in `X-SCS-Key`, never
 * in a cookie, so credentials are not allowed.
 */
export function cors(origins: readonly string[]) {
  const any = origins.includes('*');
  const listed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origins.length === 0 || !origin || !(any || listed.has(origin))) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    if (!any) res.vary('Origin');
    res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Headers', CORS_REQUEST_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    next();
  };
}

/** Headers whose text reaches SQL. */
const TEXT_HEADERS = ['Idempotency-Key'];

/**
 * Every text input outside the body (path segments, query parameter names and values, the headers that
 * reach SQL) must be UTF-8 without NUL: else 400 `invalid-text` naming the parameter, before any route
 * reads it. A path segment is named by the route parameter it would fill (`id`), from the router.
 */
export function refuseBadText(router: () => { stack: unknown[] }) {
  const index = new RouteIndex();
  return (req: Request, res: Response, next: NextFunction): void => {
    const bad = badText(req, index, router);
    if (!bad) return next();
    const { field, message } = bad;
    const errors = [{ field, message }];
    const body = problem(400, 'invalid-text', 'Invalid request', `${field} ${message}`, { errors });
    sendProblem(res, body, req.originalUrl.slice(0, 200));
  };
}

function badText(
  req: Request,
  index: RouteIndex,
  router: () => { stack: unknown[] },
): { field: string; message: string } | undefined {
  for (const name of TEXT_HEADERS) {
    const value = req.headers[name.toLowerCase()];
    const message = typeof value === 'string' ? textFault(Buffer.from(value, 'latin1')) : undefined;
    if (message) return { field: name, message };
  }
  const url = req.originalUrl ?? req.url;
  // Printable ASCII without escapes (the common case) has nothing to decode.
  if (/^[\x21-\x24\x26-\x7e]*$/.test(url)) return undefined;
  const [path, query = ''] = url.split(/\?(.*)/s, 2);
  const segments = path.split('/');
  for (const [at, segment] of segments.entries()) {
    const message = textFault(percentBytes(segment));
    if (message) return { field: routeParameter(index.routesFor(router().stack, path), segments, at), message };
  }
  for (const pair of query.split('&')) {
    const [name, value = ''] = pair.split(/=(.*)/s, 2);
    const nameFault = textFault(percentBytes(name));
    if (nameFault) return { field: name.slice(0, 40), message: nameFault };
    const message = textFault(percentBytes(value));
    if (message) return { field: percentBytes(name).toString('utf8').slice(0, 40), message };
  }
  return undefined;
}

/** The name of the route parameter at `segments[at]` (`/school/:id` → `id`), else `path`. */
function routeParameter(routes: RouteLayer[], segments: string[], at: number): string {
  for (const layer of routes) {
    const template = typeof layer.route?.path === 'string' ? layer.route.path.split('/') : [];
    if (template.length !== segments.length || !template[at]?.startsWith(':')) continue;
    const literalsMatch = template.every(
      (part, i) => part.startsWith(':') || part.toLowerCase() === segments[i].toLowerCase(),
    );
    if (literalsMatch) return template[at].slice(1);
  }
  return 'path';
}

const MALFORMED: [number, string, string] = [400, 'malformed-request', 'the request is not well-formed HTTP/1.1'];
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'the request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'the request was not received in time'],
};

/**
 * Requests Node's parser refuses (a malformed request line or header, headers over the limit) never
 * reach Express; Node would answer them with a bare 400 and no body. This answers problem+json
 * instead, where the connection can still carry an answer.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, slug, detail] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify(problem(status, slug, STATUS_CODES[status] ?? 'Bad Request', detail));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
