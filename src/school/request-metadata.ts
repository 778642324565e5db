import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '../ports/event-store.port.js';

/** Where an API request came from: its id (the causation of the events it appends) and the client's address. */
export interface RequestOrigin {
  requestId: string;
  /** As the service saw it (behind a trusted proxy, the address the proxy reported). */
  clientAddress?: string;
}

/**
 * A request about one school, from an API client (or the CLI): who asks (`actor`: the API key's id), in
 * which request chain, with the caller's W3C trace context and where the request came from.
 */
export abstract class SchoolRequestCommand<Result> extends Command<Result> {
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

/** The metadata of the events a request appends: who, which request chain, caused by which request, from where. */
export function requestMetadata(
  command: { actor: string; correlationId: string; traceparent?: string; origin?: RequestOrigin },
  now: string,
): EventMetadata {
  const { actor, correlationId, traceparent, origin } = command;
  return {
    actor,
    correlationId,
    now,
    ...(traceparent ? { traceparent } : {}),
    ...(origin ? { causationId: origin.requestId } : {}),
    ...(origin?.clientAddress ? { clientAddress: origin.clientAddress } : {}),
  };
}
