import { decodeCursor, encodeCursor } from '../audit/audit-log.js';
import { IntegrationEventReader } from '../integration-events/integration-event-reader.js';
import type { EventStore, GlobalPosition } from '../ports/event-store.port.js';
import type { DeliveryAttempt } from '../ports/webhooks.port.js';
import { SCHOOL_STREAM_PREFIX } from '../domain/school/events.js';
import { sendOnce, WebhookInputError, WebhookNotFound, type WebhookParts } from './manage-webhooks.js';

/** The event named is not in this endpoint's delivery log (so SCS cannot tell which school's it is). */
export class WebhookEventNotFound extends Error {
  constructor(readonly eventId: string) {
    super(`event ${eventId} was never delivered to this endpoint`);
    this.name = 'WebhookEventNotFound';
  }
}

/**
 * Sends one event again now, to one endpoint, with the same `webhook-id` (the event's id), signed with its
 * secrets as they are now, whether it is enabled or not; the attempt goes into its delivery log (numbered
 * after the last) and is the answer. The event is one of its delivery log's: that names its school.
 */
export async function redeliverWebhookEvent(
  parts: WebhookParts,
  id: string,
  eventId: string,
): Promise<DeliveryAttempt> {
  const endpoint = await parts.endpoints.get(id);
  if (!endpoint) throw new WebhookNotFound(id);
  const last = await parts.endpoints.lastAttempt(id, eventId);
  if (!last) throw new WebhookEventNotFound(eventId);
  const stream = await parts.store.readStream(`${SCHOOL_STREAM_PREFIX}${last.subject}`);
  const recorded = stream.find((e) => e.id === eventId);
  const event = recorded && (await new IntegrationEventReader(parts.store, parts.source).of(recorded));
  if (!event) throw new WebhookEventNotFound(eventId);
  const attempt = await sendOnce(parts, endpoint, event, last.attempt + 1);
  parts.logger?.log(`webhook ${id}: event ${eventId} redelivered by hand: ${attempt.outcome}`);
  return attempt;
}

/** Takes the endpoint out of the disabled state: deliveries resume from its position, with a new retry window. */
export async function enableWebhook(parts: WebhookParts, id: string): Promise<void> {
  if (!(await parts.endpoints.enable(id))) throw new WebhookNotFound(id);
  parts.logger?.log(`webhook ${id}: enabled`);
  parts.changed?.();
}

/**
 * Moves the endpoint's position back (or on): deliveries start again after the position `from` names, an
 * ISO time (the last event recorded before it) or a cursor (that event). Already delivered events go
 * again with their own `webhook-id`s. Answers the cursor deliveries start after (null: the first event).
 */
export async function replayWebhook(
  parts: WebhookParts,
  id: string,
  from: unknown,
): Promise<{ after: string | null; generation: number }> {
  const position = await replayPosition(parts.store, from);
  if (!(await parts.endpoints.replay(id, position))) throw new WebhookNotFound(id);
  const generation = (await parts.endpoints.get(id))?.generation ?? 0;
  const after = position ? encodeCursor(position) : null;
  parts.logger?.log(`webhook ${id}: replay from ${String(from)} (after ${after ?? 'the first event'})`);
  parts.changed?.();
  return { after, generation };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

async function replayPosition(store: EventStore, from: unknown): Promise<GlobalPosition | undefined> {
  const text = typeof from === 'string' ? from : '';
  if (ISO_TIME.test(text) && !Number.isNaN(Date.parse(text))) return lastBefore(store, new Date(text));
  const cursor = text.length > 0 && text.length <= 60 ? decodeCursor(text) : undefined;
  if (cursor) return cursor;
  throw new WebhookInputError([{ field: 'from', message: 'must be an ISO time or an event id (a stream cursor)' }]);
}

const PAGE = 1000;

/** The position of the last school event recorded before `time` (a walk of the log: replays are rare). */
async function lastBefore(store: EventStore, time: Date): Promise<GlobalPosition | undefined> {
  let before: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after: before, maxCount: PAGE, streamPrefix: SCHOOL_STREAM_PREFIX });
    for (const event of page) {
      if (event.recordedAt.getTime() >= time.getTime()) return before;
      before = event.position;
    }
    if (page.length < PAGE) return before;
  }
}
