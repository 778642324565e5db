import { Command } from '@nestjs/cqrs';

export class RequestTeardownCommand extends Command<{ id: string; status: string }> {
  /** `traceparent`: the caller's W3C trace context, kept with the correlation id in the events' metadata. */
  constructor(
    readonly schoolId: string,
    readonly actor: string,
    readonly correlationId: string,
    readonly traceparent?: string,
  ) {
    super();
  }
}
