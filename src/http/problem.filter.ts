import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DnsNameTakenError } from '../ports/dns.port.js';
import { EventStoreUnavailableError } from '../ports/event-store.port.js';
import { SlugTakenError } from '../school/request-school/slug-claims.js';
import { SchoolNotFailedError } from '../school/retry-school/retry-school.command.js';
import { DomainError, WrongStatusError, type DomainErrorCode } from '../domain/school/errors.js';
import { isDatabaseUnavailable } from '../adapters/postgres/connection-faults.js';
import { JsonBodyError } from './json-body-check.js';
import { problem, sendProblem, type Problem } from './problem.js';

const HTTP_SLUGS: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Missing or invalid API key'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  410: ['gone', 'Gone'],
  413: ['payload-too-large', 'Request body too large'],
  412: ['precondition-failed', 'Precondition failed'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['too-many-requests', 'Too many requests'],
};

/** The answer to each rule a command broke (DomainError's code); a code not here is an internal error. */
const DOMAIN_PROBLEMS = new Map<DomainErrorCode, (error: DomainError) => Problem>([
  [
    'revision_mismatch',
    (e) => problem(412, 'precondition-failed', 'Precondition failed', `${e.message}: GET it again`),
  ],
  ['school_not_found', (e) => problem(404, 'school-not-found', 'School not found', e.message)],
  ['school_deleted', (e) => problem(410, 'school-deleted', 'School is deleted', e.message)],
  ['school_not_active', (e) => problem(409, 'school-not-active', 'School is not active', e.message)],
  ['not_deleted', (e) => problem(409, 'not-deleted', 'School is not deleted', e.message)],
  ['archive_expired', (e) => problem(410, 'archive-expired', 'Archive expired', e.message)],
  ['school_already_exists', (e) => problem(409, 'conflict', 'School already exists', e.message)],
  ['invalid_details', (e) => problem(400, 'validation', 'Invalid request', e.message)],
]);

function domainProblem(error: DomainError): Problem {
  const answer = DOMAIN_PROBLEMS.get(error.code);
  return answer ? answer(error) : problem(500, 'internal', 'Internal error', 'the request could not be completed');
}

function slugTaken(error: SlugTakenError): Problem {
  const retry = error.retryAfterSeconds ? { retryAfter: error.retryAfterSeconds } : {};
  return problem(409, 'slug-taken', 'Slug is taken', error.message, { field: 'slug', slug: error.slug, ...retry });
}

function nameTaken(error: DnsNameTakenError): Problem {
  const records = error.records.map(({ name, type, value }) => ({ name, type, value }));
  return problem(409, 'name-taken', 'Name is taken in DNS', `${error.message}; choose another slug`, {
    field: 'slug',
    name: error.dnsName,
    records,
  });
}

function unavailable(what: string): Problem {
  return problem(503, 'unavailable', 'Service unavailable', `${what} cannot be reached; try again shortly`);
}

/** An error the service raises itself, or undefined when it is none of them. */
function ownProblem(error: unknown): Problem | undefined {
  if (error instanceof SlugTakenError) return slugTaken(error);
  if (error instanceof DnsNameTakenError) return nameTaken(error);
  if (error instanceof SchoolNotFailedError)
    return problem(409, 'school-not-failed', 'School is not failed', error.message, { schoolStatus: error.status });
  if (error instanceof EventStoreUnavailableError) return unavailable('the event store');
  if (isDatabaseUnavailable(error)) return unavailable('the database');
  if (error instanceof WrongStatusError)
    return problem(409, 'wrong-status', 'Not in this status', error.message, { schoolStatus: error.status });
  if (error instanceof DomainError) return domainProblem(error);
  return undefined;
}

function jsonBodyProblem(error: JsonBodyError): Problem {
  const errors = [{ field: error.field, message: error.message }];
  return problem(400, error.reason, 'Invalid request', `${error.field} ${error.message}`, { errors });
}

/** Nest's own (a guard's, a pipe's, a thrown HttpException): a problem body passes through as it is. */
function httpExceptionProblem(error: HttpException): Problem {
  const status = error.getStatus();
  const body = error.getResponse();
  if (typeof body === 'object' && body && 'type' in body) return body as Problem;
  const [slug, title] = HTTP_SLUGS[status] ?? ['error', 'Error'];
  const message =
    typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : error.message;
  return problem(status, slug, title, Array.isArray(message) ? message.join('; ') : String(message));
}

type ParserError = { status: number; type?: string; message?: string };

/** body-parser's errors carry an HTTP status (4xx) and a type. */
function isParserError(error: unknown): error is ParserError {
  const status = (error as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function parserProblem(error: ParserError): Problem {
  if (error.type === 'entity.too.large')
    return problem(413, 'payload-too-large', 'Request body too large', error.message);
  if (error.type === 'entity.parse.failed')
    return problem(400, 'malformed-json', 'Malformed JSON', 'the request body is not valid JSON');
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported')
    return problem(415, 'unsupported-media-type', 'Unsupported encoding', error.message);
  const [slug, title] = HTTP_SLUGS[error.status] ?? ['bad-request', 'Bad request'];
  return problem(error.status, slug, title, error.message);
}

/** Maps every error, ours or the framework's, to one problem+json answer; nothing else answers errors. */
export function toProblem(error: unknown): Problem {
  const own = ownProblem(error);
  if (own) return own;
  // Nest wraps body-parser's errors (ours from its `verify` too) in an HttpException with the cause.
  const shape = error instanceof HttpException && error.cause instanceof JsonBodyError ? error.cause : error;
  if (shape instanceof JsonBodyError) return jsonBodyProblem(shape);
  if (error instanceof HttpException) return httpExceptionProblem(error);
  if (isParserError(error)) return parserProblem(error);
  return problem(
    500,
    'internal',
    'Internal error',
    'the request could not be completed; the error is in the service log',
  );
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { correlationId?: string }>();
    const body = toProblem(error);
    if (body.status >= 500 && body.status !== 503) {
      const stack = (error as Error)?.stack ?? String(error);
      this.logger.error(`${req.method} ${req.path}: ${stack}`, { correlationId: req.correlationId });
    }
    sendProblem(http.getResponse<Response>(), body, req.originalUrl?.slice(0, 200));
  }
}
