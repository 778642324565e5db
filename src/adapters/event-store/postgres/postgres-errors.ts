import { EventStoreUnavailableError } from '../../../ports/event-store.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { isDatabaseUnavailable } from '../../postgres/connection-faults.js';

/** Errors that retrying cannot fix (a broken query or schema); anything else, e.g. a lost connection, is retried. */
export function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('42') || code.startsWith('22'));
}

/** The port's EventStoreUnavailableError when the database cannot be reached; any other error as it is. */
export function unavailable(operation: string, error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  const message = `PostgreSQL event store, ${operation}: ${describeError(error)}`;
  return new EventStoreUnavailableError(message, { cause: error });
}
