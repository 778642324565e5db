import { Command } from '@nestjs/cqrs';
import type { ChangeableDetails } from '../../domain/school/details.js';
import type { RequestOrigin } from '../school/request-metadata.js';

/** What a details change did: the fields that changed (none: the values were already those) and the revision after. */
export interface DetailsChangeResult {
  id: string;
  changed: string[];
  revision: number;
}

export class ChangeDetailsCommand extends Command<DetailsChangeResult> {
  /**
   * `changes`: checked by the domain's rules already (`validateDetailChanges`); `expectedRevision`: the
   * revision the caller saw (its If-Match), refused (`revision_mismatch`) when the school has moved on.
   */
  constructor(
    readonly schoolId: string,
    readonly changes: Partial<ChangeableDetails>,
    readonly expectedRevision: number | undefined,
    readonly actor: string,
    readonly correlationId: string,
    readonly traceparent?: string,
    readonly origin?: RequestOrigin,
  ) {
    super();
  }
}
