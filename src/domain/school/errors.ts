/** Rules a command can break; the HTTP edge maps each to one problem type and status. */
export type DomainErrorCode =
  | 'school_not_found'
  | 'school_already_exists'
  | 'school_deleted'
  | 'invalid_details'
  | 'unexpected_result';

export class DomainError extends Error {
  constructor(readonly code: DomainErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
  }
}
