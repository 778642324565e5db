import { SchoolRequestCommand, type RequestOrigin } from '../request-metadata.js';

/** What a suspension or resumption request answers: the school and the status it is in now. */
export interface SuspensionAccepted {
  id: string;
  status: string;
}

/** `POST /school/:id/suspend`, `scs school suspend`: the process manager then suspends it (`suspend_school`). */
export class SuspendSchoolCommand extends SchoolRequestCommand<SuspensionAccepted> {
  constructor(
    schoolId: string,
    readonly reason: string,
    actor: string,
    correlationId: string,
    traceparent?: string,
    origin?: RequestOrigin,
  ) {
    super(schoolId, actor, correlationId, traceparent, origin);
  }
}

/** `POST /school/:id/resume`, `scs school resume`: the process manager then undoes it (`resume_school`). */
export class ResumeSchoolCommand extends SchoolRequestCommand<SuspensionAccepted> {}
