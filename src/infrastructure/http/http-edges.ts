import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { problem, sendProblem } from './problem.js';

/** What SCS needs of Express's router (router 2.x): its route layers and their pure `match`. */
interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): unknown;
}

/**
 * A wrong method on a known route gets 405 with `Allow` (RFC 9110 §15.5.6), not a 404. The allowed
 * methods are read from the router itself once the routes are registered, so they cannot drift from
 * the controllers. OPTIONS is left to Express, which answers it with `Allow` too.
 */
export function methodNotAllowed(router: () => { stack: unknown[] }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') return next();
    const allowed = new Set<string>();
    for (const layer of router().stack as RouteLayer[]) {
      if (!layer.route || !layer.match(req.path)) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') allowed.add(method.toUpperCase());
      }
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const allow = [...allowed].sort().join(', ');
    res.setHeader('Allow', allow);
    const detail = `${req.method.slice(0, 20)} is not allowed here; use ${allow}`;
    sendProblem(res, problem(405, 'method-not-allowed', 'Method not allowed', detail), req.path.slice(0, 200));
  };
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
