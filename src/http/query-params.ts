import { BadRequestException } from '@nestjs/common';
import { problem } from './problem.js';

/** The 400 problem of a query parameter `field` at fault: `detail` for people, `message` beside the field. */
export function invalidQuery(field: string, detail: string, message: string): BadRequestException {
  return new BadRequestException(problem(400, 'validation', 'Invalid query', detail, { errors: [{ field, message }] }));
}

/** One text value of at most `max` characters, or undefined when absent. */
export function queryText(value: unknown, name: string, max = 100): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new BadRequestException(
      problem(400, 'validation', 'Invalid query', `${name} must be a single value of at most ${max} characters`, {
        errors: [{ field: name, message: 'is invalid' }],
      }),
    );
  }
  return value;
}

export function queryInt(value: unknown, name: string, fallback: number, min: number, max: number): number {
  const text = queryText(value, name, 12);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max) {
    throw new BadRequestException(
      problem(400, 'validation', 'Invalid query', `${name} must be a whole number from ${min} to ${max}`, {
        errors: [{ field: name, message: `must be from ${min} to ${max}` }],
      }),
    );
  }
  return n;
}

/** Refuses parameters a route does not know, naming them. */
export function onlyKnown(query: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(query)
    .filter((k) => !known.includes(k))
    .slice(0, 5)
    .map((k) => k.slice(0, 40));
  if (unknown.length === 0) return;
  throw new BadRequestException(
    problem(400, 'validation', 'Invalid query', `unknown parameter(s): ${unknown.join(', ')}`, {
      errors: unknown.map((field) => ({ field, message: 'is not a known parameter' })),
    }),
  );
}

/** An ISO 8601 time (`2026-11-01` or `2026-11-01T10:00:00Z`), or undefined when absent. */
function queryTime(value: unknown, field: string): Date | undefined {
  const text = queryText(value, field, 40);
  if (text === undefined) return undefined;
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) {
    throw invalidQuery(
      field,
      `${field} must be an ISO 8601 time such as 2026-11-01T00:00:00Z`,
      'must be an ISO 8601 time',
    );
  }
  return time;
}

export function queryChoice<T extends string>(value: unknown, field: string, choices: readonly T[], fallback: T): T {
  const text = queryText(value, field, 40);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw invalidQuery(field, `${field} must be one of ${choices.join(', ')}`, 'is not one of the choices');
  }
  return text as T;
}

export function queryRange(query: Record<string, unknown>): { from?: Date; to?: Date } {
  const from = queryTime(query.from, 'from');
  const to = queryTime(query.to, 'to');
  if (from && to && from.getTime() >= to.getTime())
    throw invalidQuery('to', 'to must be after from', 'must be after from');
  return { from, to };
}
