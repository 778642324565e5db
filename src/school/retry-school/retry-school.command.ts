import type { SchoolStatus } from '../../domain/school/state.js';
import type { SchoolSummary } from '../request-school/request-school.command.js';
import { SchoolRequestCommand } from '../request-metadata.js';

/** The new school a retry requested, as POST /school answers it, with the failed school it retries. */
export type RetriedSchool = SchoolSummary & { retryOf: string };

/** Asks for a failed school again: a new school (a new id) with the same details. */
export class RetrySchoolCommand extends SchoolRequestCommand<RetriedSchool> {}

/** Only a failed school is retried: one still provisioning, active or deleted has nothing to retry. */
export class SchoolNotFailedError extends Error {
  constructor(
    readonly schoolId: string,
    readonly status: SchoolStatus,
  ) {
    super(`school ${schoolId} is ${status}; only a failed school can be retried`);
    this.name = 'SchoolNotFailedError';
  }
}
