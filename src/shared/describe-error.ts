/**
 * The one way SCS describes an error in a log line, an event or an answer: its message (or its name when
 * it has none), and the thing itself when something other than an Error was thrown.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
