import type { GlobalPosition } from './event-store.port.js';

/** An endpoint other services registered to be told of integration events (never its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The integration event types it wants. */
  eventTypes: string[];
  createdAt: string;
  /** Set when SCS stopped delivering to it (410 Gone, or failing for longer than the retry window). */
  disabledAt: string | null;
  disabledReason: string | null;
  /** Until then deliveries are signed with the previous secret too (a rotation's overlap). */
  previousSecretUntil: string | null;
  /** Grows with each replay: only a worker of the current generation moves the endpoint's position. */
  generation: number;
}

/** The secrets deliveries are signed with: the current one, and the previous one during a rotation's overlap. */
export interface WebhookSecrets {
  current: string;
  previous?: string;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'gone';

/** One attempt to deliver one event to one endpoint, as `GET /webhooks/:id/deliveries` shows it. */
export interface DeliveryAttempt {
  endpointId: string;
  eventId: string;
  eventType: string;
  subject: string;
  attempt: number;
  outcome: DeliveryOutcome;
  /** The endpoint's HTTP status; null when there was no answer (refused, timed out, unreachable). */
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  attemptedAt: string;
}

/** Where endpoints, their sealed secrets, their checkpoints and the delivery log are kept. */
export interface WebhookEndpoints {
  /** `from`: the position its deliveries start after (the store's head when it was added). */
  create(
    endpoint: { id: string; url: string; eventTypes: string[] },
    secret: string,
    from?: GlobalPosition,
  ): Promise<WebhookEndpoint>;
  list(): Promise<WebhookEndpoint[]>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** False when there was none. Its deliveries and checkpoint go with it. */
  remove(id: string): Promise<boolean>;
  secrets(id: string): Promise<WebhookSecrets | undefined>;
  /** The new secret becomes current; the old one signs too until `previousUntil`. */
  rotateSecret(id: string, secret: string, previousUntil: Date): Promise<boolean>;
  disable(id: string, reason: string): Promise<void>;
  /** False when there was none. Deliveries resume from its position; the retry window starts again. */
  enable(id: string): Promise<boolean>;
  /**
   * Deliveries start again after `position` (undefined: from the first event), as a new generation (the
   * worker of the old one stops moving the position). False when there was none.
   */
  replay(id: string, position: GlobalPosition | undefined): Promise<boolean>;
  loadCheckpoint(id: string): Promise<GlobalPosition | undefined>;
  /** Saved only while the endpoint exists and is of `generation`; false otherwise (the worker should stop). */
  saveCheckpoint(id: string, position: GlobalPosition, generation: number): Promise<boolean>;
  /** In one write, in this order; false when the endpoint is gone (nothing recorded). All of one endpoint. */
  recordAttempts(attempts: DeliveryAttempt[]): Promise<boolean>;
  /** The newest first. */
  deliveries(id: string, limit: number): Promise<DeliveryAttempt[]>;
  /** When the first attempt at this event since the endpoint was last enabled was (the retry window counts from it). */
  firstAttemptAt(id: string, eventId: string): Promise<Date | undefined>;
  /** The last recorded attempt at this event (undefined: never attempted). */
  lastAttempt(id: string, eventId: string): Promise<DeliveryAttempt | undefined>;
}

/** What one HTTP delivery came to. */
export interface TransportResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
}

/**
 * Sends one signed delivery (Standard Webhooks headers, one signature per secret) to a destination that
 * passed the address checks, with deadlines on connecting and on the answer. Never throws.
 */
export interface WebhookTransport {
  send(
    url: string,
    message: { id: string; body: string; secrets: WebhookSecrets; now: Date },
  ): Promise<TransportResult>;
  /** Throws `WebhookDestinationRefused` when the URL may not be delivered to (scheme, private address). */
  checkDestination(url: string): Promise<void>;
}

export class WebhookDestinationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDestinationRefused';
  }
}

/** What the deliveries tell operators (adapter: adapters/metrics). */
export interface WebhookTelemetry {
  attempted(endpointId: string, outcome: DeliveryOutcome): void;
  /** An event reached the endpoint (2xx) `seconds` after it was recorded. */
  delivered(endpointId: string, seconds: number): void;
  /** Read when metrics are scraped: per endpoint, the age of the oldest event not yet delivered (0: none). */
  observeBacklog(read: () => Map<string, number>): void;
}

export const noWebhookTelemetry: WebhookTelemetry = {
  attempted: () => undefined,
  delivered: () => undefined,
  observeBacklog: () => undefined,
};

export const WEBHOOK_ENDPOINTS = Symbol('WebhookEndpoints');
export const WEBHOOK_TRANSPORT = Symbol('WebhookTransport');
