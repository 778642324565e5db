/** Rules a command can break; the HTTP edge maps each to one problem type and status. */
export type DomainErrorCode =
  | 'school_not_found'
  | 'school_already_exists'
  | 'school_deleted'
  | 'invalid_details'
  | 'unexpected_result'
  /** A move asked of a school that is not active, already moving elsewhere, or already on that server. */
  | 'move_refused'
  /** Credentials asked of a school that is not active (its role may not exist, or not yet or no longer). */
  | 'school_not_active';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
