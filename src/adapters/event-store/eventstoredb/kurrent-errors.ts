import { WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type ExpectedRevision,
} from '../../../ports/event-store.port.js';
import { describeError } from '../../../shared/describe-error.js';

/** gRPC status codes the client passes through unwrapped while no server listens: UNAVAILABLE, DEADLINE_EXCEEDED. */
const UNREACHABLE_CODES = new Set([14, 4]);

/** What the client throws when it cannot reach a server (or loses it mid-call). */
function isUnavailable(error: unknown): boolean {
  const { type, code } = error as { type?: unknown; code?: unknown };
  return (
    type === 'unavailable' ||
    type === 'deadline-exceeded' ||
    type === 'not-leader' ||
    type === 'timeout' ||
    type === 'cancelled' ||
    (typeof code === 'number' && UNREACHABLE_CODES.has(code))
  );
}

/** The port's EventStoreUnavailableError when the server cannot be reached; any other error as it is. */
export function unavailable(operation: string, error: unknown): Error {
  return isUnavailable(error)
    ? new EventStoreUnavailableError(`EventStoreDB ${operation}: ${describeError(error)}`, { cause: error })
    : (error as Error);
}

/** An append's error as the port names it: a wrong expected revision, or the server out of reach. */
export function appendError(streamId: string, expected: ExpectedRevision, error: unknown): Error {
  if (error instanceof WrongExpectedVersionError) {
    const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) : 'no_stream';
    return new WrongExpectedRevisionError(streamId, expected, actual);
  }
  return unavailable(`append to ${streamId}`, error);
}
