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
  | 'school_not_active'
  /** The school changed since the revision the caller saw (a stale If-Match). */
  | 'revision_mismatch'
  /** A restore asked of a school that is not deleted. */
  | 'not_deleted'
  /** A restore whose archive is past the retention, or gone. */
  | 'archive_expired'
  /** A command the school's status does not allow (`WrongStatusError`). */
  | 'wrong_status';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A command the school's status does not allow (a details change during its teardown); `status` is the school's. */
export class WrongStatusError extends DomainError {
  constructor(
    readonly status: string,
    message: string,
  ) {
    super('wrong_status', message);
    this.name = 'WrongStatusError';
  }
}
