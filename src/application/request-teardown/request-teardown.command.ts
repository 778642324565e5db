import { Command } from '@nestjs/cqrs';
import type { RequestOrigin } from '../school/request-metadata.js';

export class RequestTeardownCommand extends Command<{ id: string; status: string }> {
  /** `traceparent`: the caller's W3C trace context, kept with the correlation id in the events' metadata. */
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
