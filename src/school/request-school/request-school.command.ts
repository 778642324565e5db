import { Command } from '@nestjs/cqrs';
import type { RequestOrigin } from '../request-metadata.js';
import type { SchoolDetails } from '../../domain/school/details.js';

export interface SchoolSummary {
  id: string;
  name: string;
  slug: string;
  databaseName: string;
  subdomain: string;
  status: string;
  createdAt: string;
}

/** Asks for a new school. `details` are validated again by the domain, whatever the entry point. */
export class RequestSchoolCommand extends Command<SchoolSummary> {
  /**
   * `traceparent`: the caller's W3C trace context, kept with the correlation id in the events' metadata;
   * `retryOf`: the failed school this request retries (RetrySchoolHandler), kept there too.
   */
  constructor(
    readonly details: SchoolDetails,
    readonly actor: string,
    readonly correlationId: string,
    readonly traceparent?: string,
    readonly origin?: RequestOrigin,
    readonly retryOf?: string,
  ) {
    super();
  }
}
