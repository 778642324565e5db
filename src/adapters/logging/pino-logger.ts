import type { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { pino, stdTimeFunctions, symbols, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { routeOf } from '../../http/route-of.js';

const PROBES = new Set(['/health', '/ready', '/metrics']);

/** `schoolId` for a route that names a school (`/school/:id`, `/school/:id/history`, …). */
function schoolOf(route: string, params: Record<string, unknown> | undefined): { schoolId?: string } {
  const id = params?.id;
  return route.startsWith('/school/:id') && typeof id === 'string' ? { schoolId: id.slice(0, 100) } : {};
}

export interface LogOptions {
  level: string;
  /** Human-readable lines (pino-pretty) instead of JSON lines: for a terminal in development. */
  pretty: boolean;
  /** Where lines go (default standard output); tests pass a stream. */
  destination?: NodeJS.WritableStream;
}

/**
 * `trace_id` and `span_id` (W3C hex, the OpenTelemetry log data model's names) of the span active where a
 * line is logged, so a line joins its trace; none without one (traces off: the API's no-op answers
 * undefined at once).
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

/** JSON lines with an ISO UTC `time` and the level's name, or pretty lines for a terminal. */
export function createLogger(options: LogOptions): Logger {
  const settings = {
    level: options.level,
    mixin: traceFields,
    timestamp: stdTimeFunctions.isoTime,
    base: undefined,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.pretty) {
    return pino(
      settings,
      pretty({
        destination: options.destination ?? 1,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        messageFormat: '{if context}[{context}] {end}{msg}',
        ignore: 'context',
      }),
    );
  }
  // Asynchronous, without a minimum length: a line is written at once, unless a write is under way, in which
  // case the lines that came meanwhile go out together in the next one (under load one write() for many access
  // lines, instead of one blocking write per request). pino flushes the rest synchronously on exit, so the
  // last lines before an exit (a crash, a signal) are not lost.
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 0 }));
}

/**
 * Resolves once every line logged so far has been written, in order; call it just before `process.exit`.
 * `logger.flush` does not do that with an asynchronous destination: with no minimum length it calls back
 * at once, and pino's exit hook then writes the queued lines synchronously, ahead of a write still under
 * way in libuv's pool (10 of 100 runs printed "B" before "A" for `info('A'); info('B')` then exit; the
 * shutdown test saw "exiting 0" before the line logged just before it). Ending the stream waits for
 * that write, then writes the rest; standard output itself stays open.
 */
export function writeOut(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[symbols.streamSym] as
    (NodeJS.EventEmitter & { end?: () => void; fd?: number }) | undefined;
  if (!stream || typeof stream.end !== 'function' || typeof stream.fd !== 'number') {
    return new Promise((resolve) => logger.flush(() => resolve()));
  }
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
    stream.end!();
  });
}

/**
 * Nest's LoggerService over pino. `nestjs-pino` would do this, but its version 5 needs Node 22 and its
 * version 4 does not support NestJS 12. Nest passes the logger's context as the last string; our
 * `AppLogger` callers may pass an object of fields (`schoolId`, `slug`, `correlationId`, `step`).
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * One access line per request: method, route, status, ms, API key id and correlation id; at `error` for
   * a 5xx or a failed answer. Written when the answer is finished (or the connection closed first). This
   * is what pino-http did with our options, without its two child loggers per request.
   */
  accessLog(): RequestHandler {
    type ScsRequest = Request & { actor?: string; correlationId?: string };
    return (req: ScsRequest, res: Response, next) => {
      const started = Date.now();
      const done = (error?: unknown) => {
        res.off('close', done).off('finish', done).off('error', done);
        const ms = Date.now() - started;
        const route = routeOf(req);
        const failed = error !== undefined || res.statusCode >= 500;
        const userAgent = req.headers['user-agent'];
        const line = {
          correlationId: req.correlationId ?? '',
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          ...(req.actor ? { apiKeyId: req.actor } : {}),
          ...schoolOf(route, req.params),
          clientAddress: req.ip ?? '',
          ...(userAgent ? { userAgent: userAgent.slice(0, 200) } : {}),
        };
        if (failed) this.pino.error(line, `${req.method} ${route} ${res.statusCode}`);
        // Load balancers' probes and Prometheus's scrapes come every few seconds: at debug, not info.
        else if (PROBES.has(route)) this.pino.debug(line, `${req.method} ${route} ${res.statusCode}`);
        else this.pino.info(line, `${req.method} ${route} ${res.statusCode} ${Math.round(ms)} ms`);
      };
      res.on('close', done).on('finish', done).on('error', done);
      next();
    };
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const strings: string[] = [];
    for (const param of params) {
      if (typeof param === 'string') strings.push(param);
      else if (param instanceof Error) fields.err = param;
      else if (param && typeof param === 'object') Object.assign(fields, param);
    }
    // Nest: error(message, stack?, context) and log(message, context); the context comes last.
    if (strings.length > 0) fields.context = strings.pop();
    if (strings.length > 0 && level === 'error') fields.stack = strings.join('\n');
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
    } else {
      this.pino[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
    }
  }
}
