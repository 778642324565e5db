import { SchoolRequestCommand, type RequestOrigin } from '../request-metadata.js';

/** What a restore request answers: the school, its status now (`restoring`) and the archive it loads. */
export interface RestoreAccepted {
  id: string;
  slug: string;
  status: string;
  archive: { location: string; format: string; archivedAt: string };
}

/**
 * `POST /school/:id/restore`, `scs school restore`: a deleted school is brought back from its archive, with
 * the same id and slug; `notify`: a welcome-back email to its admin. The process manager does the steps.
 */
export class RestoreSchoolCommand extends SchoolRequestCommand<RestoreAccepted> {
  constructor(
    schoolId: string,
    readonly notify: boolean,
    actor: string,
    correlationId: string,
    traceparent?: string,
    origin?: RequestOrigin,
  ) {
    super(schoolId, actor, correlationId, traceparent, origin);
  }
}
