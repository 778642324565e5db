import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { routeOf } from '../../http/route-of.js';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function httpRequestDurations(registers: Registry[]): Histogram<'method' | 'route' | 'status'> {
  return new Histogram({
    name: 'scs_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers,
  });
}

/** The label values are bounded: configured key ids, scopes and declared routes. */
export function httpDenials(registers: Registry[]): Counter<'reason' | 'key_id' | 'scope' | 'route'> {
  return new Counter({
    name: 'scs_http_denied_total',
    help: 'Requests the API key guard refused: reason unauthorized (no key id) or missing-scope (key_id, scope)',
    labelNames: ['reason', 'key_id', 'scope', 'route'],
    registers,
  });
}

/** Times every request: the label is the declared route, never the raw path. */
export function timeRequests(durations: Histogram<'method' | 'route' | 'status'>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = durations.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
    next();
  };
}
