/** Why a school is suspended: said by the operator, kept in its events and shown by the API. */
export const REASON_MAX = 500;

/** What is wrong with a suspension's reason, or undefined: a line of text of 1 to 500 characters. */
export function reasonProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim().length === 0) return 'must not be empty';
  if (value.length > REASON_MAX) return `must be at most ${REASON_MAX} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must be one line without control characters';
  return undefined;
}
