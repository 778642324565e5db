import { Command } from '@nestjs/cqrs';
import type { RequestOrigin } from '../school/request-metadata.js';

/** What a suspension or resumption request answers: the school and the status it is in now. */
export interface SuspensionAccepted {
  id: string;
  status: string;
}

/** `POST /school/:id/suspend`, `scs school suspend`: the process manager then suspends it (`suspend_school`). */
export class SuspendSchoolCommand extends Command<SuspensionAccepted> {
  constructor(
    readonly schoolId: string,
    readonly reason: string,
    readonly actor: string,
    readonly correlationId: string,
    readonly traceparent?: string,
    readonly origin?: RequestOrigin,
  ) {
    super();
  }
}

/** `POST /school/:id/resume`, `scs school resume`: the process manager then undoes it (`resume_school`). */
export class ResumeSchoolCommand extends Command<SuspensionAccepted> {
  constructor(
    readonly schoolId: string,
    readonly actor: string,
    readonly correlationId: string,
    readonly traceparent?: string,
    readonly origin?: RequestOrigin,
  ) {
    super();
  }
}
