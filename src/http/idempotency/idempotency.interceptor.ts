import { createHash } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  HttpException,
  Inject,
  Injectable,
  UnprocessableEntityException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { toProblem } from '../problem.filter.js';
import { problem } from '../problem.js';
import type { ScsRequest } from '../request-context.js';
import type { IdempotencyStore } from './idempotency-store.js';

export const IDEMPOTENCY_STORE = Symbol('IdempotencyStore');
const KEY = /^[\x21-\x7e]{1,200}$/;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `Idempotency-Key`: a retried request with the same key and the same request gets the first answer
 * again (with `Idempotent-Replayed: true`); the same key with another request is a 422; a retry while
 * the first is still running is a 409. Answers of 5xx are not kept, so those can be retried.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ScsRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    return from(this.handle(req, res, next, header));
  }

  private async handle(req: ScsRequest, res: Response, next: CallHandler, header: string | string[]): Promise<unknown> {
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new BadRequestException(
        problem(
          400,
          'validation',
          'Invalid Idempotency-Key',
          'Idempotency-Key must be 1 to 200 visible ASCII characters',
          { errors: [{ field: 'Idempotency-Key', message: 'is invalid' }] },
        ),
      );
    }
    const actor = req.actor ?? 'anonymous';
    const hash = createHash('sha256')
      .update(`${req.method} ${req.path}\n${canonical(req.body ?? null)}`)
      .digest('hex');
    const claim = await this.store.claim(actor, header, hash);
    if (claim.kind === 'mismatch') {
      throw new UnprocessableEntityException(
        problem(
          422,
          'idempotency-key-reused',
          'Idempotency-Key reused',
          'this Idempotency-Key was used with a different request',
        ),
      );
    }
    if (claim.kind === 'in_progress') {
      throw new ConflictException(
        problem(
          409,
          'idempotency-key-in-progress',
          'Request in progress',
          'a request with this Idempotency-Key is still being processed; retry shortly',
        ),
      );
    }
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      if (claim.location) res.setHeader('Location', claim.location);
      // A kept problem goes out through the problem filter like the first time.
      if (claim.status >= 400) throw new HttpException(claim.response as Record<string, unknown>, claim.status);
      res.status(claim.status);
      return claim.response;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const location = res.getHeader('Location');
      await this.store.complete(actor, header, res.statusCode, body, typeof location === 'string' ? location : null);
      return body;
    } catch (error) {
      const answer = toProblem(error);
      if (answer.status >= 500) await this.store.release(actor, header).catch(() => undefined);
      else await this.store.complete(actor, header, answer.status, answer, null).catch(() => undefined);
      throw error;
    }
  }
}
