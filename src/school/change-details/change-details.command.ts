import type { ChangeableDetails } from '../../domain/school/details.js';
import { SchoolRequestCommand, type RequestOrigin } from '../request-metadata.js';

/** What a details change did: the fields that changed (none: the values were already those) and the revision after. */
export interface DetailsChangeResult {
  id: string;
  changed: string[];
  revision: number;
}

export class ChangeDetailsCommand extends SchoolRequestCommand<DetailsChangeResult> {
  /**
   * `changes`: checked by the domain's rules already (`validateDetailChanges`); `expectedRevision`: the
   * revision the caller saw (its If-Match), refused (`revision_mismatch`) when the school has moved on.
   */
  constructor(
    schoolId: string,
    readonly changes: Partial<ChangeableDetails>,
    readonly expectedRevision: number | undefined,
    actor: string,
    correlationId: string,
    traceparent?: string,
    origin?: RequestOrigin,
  ) {
    super(schoolId, actor, correlationId, traceparent, origin);
  }
}
