import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DnsNameTakenError } from '../../application/ports/dns.port.js';
import { EventStoreUnavailableError } from '../../application/ports/event-store.port.js';
import { SlugTakenError } from '../../application/request-school/slug-claims.js';
import { SchoolNotFailedError } from '../../application/retry-school/retry-school.command.js';
import { DomainError, WrongStatusError } from '../../domain/school/errors.js';
import { isDatabaseUnavailable } from '../postgres/connection-faults.js';
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

/** Maps every error, ours or the framework's, to one problem+json answer; nothing else answers errors. */
export function toProblem(error: unknown): Problem {
  if (error instanceof SlugTakenError) {
    const retry = error.retryAfterSeconds ? { retryAfter: error.retryAfterSeconds } : {};
    return problem(409, 'slug-taken', 'Slug is taken', error.message, { field: 'slug', slug: error.slug, ...retry });
  }
  if (error instanceof DnsNameTakenError) {
    const records = error.records.map(({ name, type, value }) => ({ name, type, value }));
    return problem(409, 'name-taken', 'Name is taken in DNS', `${error.message}; choose another slug`, {
      field: 'slug',
      name: error.dnsName,
      records,
    });
  }
  if (error instanceof SchoolNotFailedError) {
    return problem(409, 'school-not-failed', 'School is not failed', error.message, { schoolStatus: error.status });
  }
  if (error instanceof EventStoreUnavailableError) {
    return problem(503, 'unavailable', 'Service unavailable', 'the event store cannot be reached; try again shortly');
  }
  if (isDatabaseUnavailable(error)) {
    return problem(503, 'unavailable', 'Service unavailable', 'the database cannot be reached; try again shortly');
  }
  if (error instanceof WrongStatusError) {
    return problem(409, 'wrong-status', 'Not in this status', error.message, { schoolStatus: error.status });
  }
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'revision_mismatch':
        return problem(412, 'precondition-failed', 'Precondition failed', `${error.message}: GET it again`);
      case 'school_not_found':
        return problem(404, 'school-not-found', 'School not found', error.message);
      case 'school_deleted':
        return problem(410, 'school-deleted', 'School is deleted', error.message);
      case 'school_not_active':
        return problem(409, 'school-not-active', 'School is not active', error.message);
      case 'not_deleted':
        return problem(409, 'not-deleted', 'School is not deleted', error.message);
      case 'archive_expired':
        return problem(410, 'archive-expired', 'Archive expired', error.message);
      case 'school_already_exists':
        return problem(409, 'conflict', 'School already exists', error.message);
      case 'invalid_details':
        return problem(400, 'validation', 'Invalid request', error.message);
      default:
        return problem(500, 'internal', 'Internal error', 'the request could not be completed');
    }
  }
  // Nest wraps body-parser's errors (ours from its `verify` too) in an HttpException with the cause.
  const shape = error instanceof HttpException && error.cause instanceof JsonBodyError ? error.cause : error;
  if (shape instanceof JsonBodyError) {
    const errors = [{ field: shape.field, message: shape.message }];
    return problem(400, shape.reason, 'Invalid request', `${shape.field} ${shape.message}`, { errors });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    if (typeof body === 'object' && body && 'type' in body) return body as Problem;
    const [slug, title] = HTTP_SLUGS[status] ?? ['error', 'Error'];
    const message =
      typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : error.message;
    return problem(status, slug, title, Array.isArray(message) ? message.join('; ') : String(message));
  }
  // body-parser's errors carry an HTTP status and a type.
  const parserError = error as { status?: number; type?: string; message?: string };
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    if (parserError.type === 'entity.too.large')
      return problem(413, 'payload-too-large', 'Request body too large', parserError.message);
    if (parserError.type === 'entity.parse.failed')
      return problem(400, 'malformed-json', 'Malformed JSON', 'the request body is not valid JSON');
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported')
      return problem(415, 'unsupported-media-type', 'Unsupported encoding', parserError.message);
    const [slug, title] = HTTP_SLUGS[parserError.status] ?? ['bad-request', 'Bad request'];
    return problem(parserError.status, slug, title, parserError.message);
  }
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
