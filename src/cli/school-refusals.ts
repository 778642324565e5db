import { SlugTakenError } from '../school/request-school/slug-claims.js';
import { SchoolNotFailedError } from '../school/retry-school/retry-school.command.js';
import { DomainError } from '../domain/school/errors.js';
import { CliFailure } from './cli.js';

/** A school id nothing knows (no events, no view): exit 1. */
export function notFound(id: string): CliFailure {
  return new CliFailure(`no school with id ${id}`);
}

/** The command handlers' refusals, as the operator reads them (exit 1). */
export function refused(id: string, error: unknown): unknown {
  if (error instanceof DomainError && error.code === 'school_not_found') return notFound(id);
  if (error instanceof SchoolNotFailedError) return new CliFailure(error.message);
  if (error instanceof DomainError || error instanceof SlugTakenError) {
    return new CliFailure(`school ${id}: ${error.message}`);
  }
  return error;
}
