import { randomBytes, randomUUID } from 'node:crypto';
import { isIntegrationEventType, testEvent } from '../integration-events/integration-events.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import {
  WebhookDestinationRefused,
  type DeliveryAttempt,
  type WebhookEndpoint,
  type WebhookEndpoints,
  type WebhookTransport,
} from '../ports/webhooks.port.js';

/** A request to add an endpoint that cannot be taken as it is: every field at fault, with why. */
export class WebhookInputError extends Error {
  constructor(readonly errors: Array<{ field: string; message: string }>) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
    this.name = 'WebhookInputError';
  }
}

export class WebhookNotFound extends Error {
  constructor(readonly id: string) {
    super(`no webhook endpoint ${id}`);
    this.name = 'WebhookNotFound';
  }
}

/** The DI token of this instance's `WebhookParts` (the composition's webhooks module provides it). */
export const WEBHOOK_PARTS = Symbol('WebhookParts');

export interface WebhookParts {
  store: EventStore;
  endpoints: WebhookEndpoints;
  transport: WebhookTransport;
  source: string;
  /** Dates the test events, the attempts in the delivery log and the end of a rotated secret's overlap. */
  clock: Clock;
  /** Told after a change, so deliveries start or stop at once in this process. */
  changed?: () => void;
  /** Where redeliveries, replays and re-enabling are logged. */
  logger?: AppLogger;
}

/** `whsec_` and 32 random bytes in base64: the form Standard Webhooks' libraries take. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const MAX_URL = 2000;

/**
 * A new endpoint: its URL checked (scheme, no credentials, its addresses not private unless allowed), the
 * types known; its secret made here and returned once (only its sealed form is kept). Deliveries start
 * with the events recorded after it was added.
 */
export async function addWebhook(
  parts: WebhookParts,
  request: { url: unknown; eventTypes: unknown },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const url = typeof request.url === 'string' ? request.url : '';
  if (!url || url.length > MAX_URL)
    errors.push({ field: 'url', message: `must be an http(s) URL of up to ${MAX_URL} characters` });
  const types = request.eventTypes;
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string'))
    errors.push({ field: 'eventTypes', message: 'must list at least one integration event type' });
  else {
    const unknown = types.filter((t: string) => !isIntegrationEventType(t));
    if (unknown.length > 0) errors.push({ field: 'eventTypes', message: `has unknown types: ${unknown.join(', ')}` });
    if (new Set(types).size !== types.length) errors.push({ field: 'eventTypes', message: 'names a type twice' });
  }
  if (errors.length === 0) {
    try {
      await parts.transport.checkDestination(url);
    } catch (error) {
      if (!(error instanceof WebhookDestinationRefused)) throw error;
      errors.push({ field: 'url', message: error.message });
    }
  }
  if (errors.length > 0) throw new WebhookInputError(errors);
  const secret = newSecret();
  const from = await parts.store.headPosition();
  const endpoint = await parts.endpoints.create({ id: randomUUID(), url, eventTypes: types as string[] }, secret, from);
  parts.changed?.();
  return { endpoint, secret };
}

export async function removeWebhook(parts: WebhookParts, id: string): Promise<void> {
  if (!(await parts.endpoints.remove(id))) throw new WebhookNotFound(id);
  parts.changed?.();
}

/** A new secret, returned once; the old one keeps signing beside it for `overlapSeconds`. */
export async function rotateWebhookSecret(
  parts: WebhookParts,
  id: string,
  overlapSeconds: number,
): Promise<{ secret: string; previousSecretUntil: string }> {
  const secret = newSecret();
  const until = new Date(parts.clock.now().getTime() + overlapSeconds * 1000);
  if (!(await parts.endpoints.rotateSecret(id, secret, until))) throw new WebhookNotFound(id);
  return { secret, previousSecretUntil: until.toISOString() };
}

/** Sends a `webhook.test` event now, signed as every delivery is, and records the attempt. */
export async function testWebhook(parts: WebhookParts, id: string): Promise<DeliveryAttempt> {
  const endpoint = await parts.endpoints.get(id);
  if (!endpoint) throw new WebhookNotFound(id);
  const event = testEvent(randomUUID(), id, parts.clock.now().toISOString(), parts.source);
  return sendOnce(parts, endpoint, event, 1);
}

/** One signed attempt at one event now, outside the endpoint's ordered deliveries, recorded in its log. */
export async function sendOnce(
  parts: WebhookParts,
  endpoint: WebhookEndpoint,
  event: { id: string; type: string; subject: string },
  attemptNumber: number,
): Promise<DeliveryAttempt> {
  const secrets = await parts.endpoints.secrets(endpoint.id);
  if (!secrets) throw new WebhookNotFound(endpoint.id);
  const now = parts.clock.now();
  const result = await parts.transport.send(endpoint.url, { id: event.id, body: JSON.stringify(event), secrets, now });
  const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
  const attempt: DeliveryAttempt = {
    endpointId: endpoint.id,
    eventId: event.id,
    eventType: event.type,
    subject: event.subject,
    attempt: attemptNumber,
    outcome: ok ? 'delivered' : 'failed',
    ...result,
    attemptedAt: now.toISOString(),
  };
  await parts.endpoints.recordAttempts([attempt]);
  return attempt;
}
