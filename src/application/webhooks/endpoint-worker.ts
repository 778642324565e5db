import { IntegrationEventReader } from '../integration-events/integration-event-reader.js';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type { WebhookEndpoint, WebhookEndpoints, WebhookTelemetry, WebhookTransport } from '../ports/webhooks.port.js';
import { retryDelayMs } from '../process-manager/retry-policy.js';
import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import { describeError } from '../describe-error.js';

const RESTART_MS = 2000;

export interface DeliveryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long one event is retried (from its first attempt) before the endpoint is disabled. */
  retryForMs: number;
}

/** The worker was stopped (shutdown, the endpoint removed or disabled) while an event waited. */
class Stopped extends Error {}

export interface WorkerParts {
  store: EventStore;
  endpoints: WebhookEndpoints;
  transport: WebhookTransport;
  telemetry: WebhookTelemetry;
  logger: AppLogger;
  policy: DeliveryPolicy;
  source: string;
  /** Told when the worker disabled its endpoint, so the dispatcher forgets it. */
  onDisabled: (id: string) => void;
}

/**
 * Delivers to one endpoint, from its own checkpoint: its own subscription to the school events, one event
 * at a time in store order (so in order per school), each retried with backoff until a 2xx; the checkpoint
 * moves only past events that were delivered or are not wanted, so a crash delivers again (at least once,
 * with the same `webhook-id`). A slow or failing endpoint holds back only its own subscription.
 */
export class EndpointWorker {
  private subscription?: Subscription;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  /** The recorded time of the event being delivered now (for the backlog gauge). */
  private pendingSince?: Date;
  private readonly reader: IntegrationEventReader;
  private readonly since = Date.now();

  constructor(
    readonly endpoint: WebhookEndpoint,
    private readonly parts: WorkerParts,
  ) {
    this.reader = new IntegrationEventReader(parts.store, parts.source);
  }

  get backlogSeconds(): number {
    return this.pendingSince ? Math.max(0, (Date.now() - this.pendingSince.getTime()) / 1000) : 0;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    let after: GlobalPosition | undefined;
    try {
      after = await this.parts.endpoints.loadCheckpoint(this.endpoint.id);
    } catch (error) {
      return this.failed(error);
    }
    if (this.stopped) return;
    this.subscription = this.parts.store.subscribeToAll({
      after,
      streamPrefix: SCHOOL_STREAM_PREFIX,
      handleBatch: (events) => this.handleBatch(events),
      onError: (error) => this.failed(error),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.subscription?.stop().catch(() => undefined);
  }

  private failed(error: unknown): void {
    this.subscription = undefined;
    this.pendingSince = undefined;
    if (this.stopped || error instanceof Stopped) return;
    this.parts.logger.warn(`webhook ${this.endpoint.id}: ${describeError(error)}; starting again in 2 s`);
    this.timer = setTimeout(() => void this.start(), RESTART_MS);
    this.timer.unref();
  }

  private async handleBatch(events: RecordedEvent[]): Promise<void> {
    let unsaved: GlobalPosition | undefined;
    for (const event of events) {
      if (this.stopped) throw new Stopped();
      const integration = await this.reader.of(event);
      if (integration && this.endpoint.eventTypes.includes(integration.type)) {
        this.pendingSince = event.recordedAt;
        await this.deliver(event, integration.id, integration.type, integration.subject, JSON.stringify(integration));
        this.pendingSince = undefined;
        await this.parts.endpoints.saveCheckpoint(this.endpoint.id, event.position);
        unsaved = undefined;
      } else {
        unsaved = event.position;
      }
    }
    if (unsaved) await this.parts.endpoints.saveCheckpoint(this.endpoint.id, unsaved);
  }

  /** Until a 2xx; a 410 or the retry window running out disables the endpoint (and stops this worker). */
  private async deliver(event: RecordedEvent, id: string, type: string, subject: string, body: string): Promise<void> {
    const { endpoints, transport, telemetry, policy } = this.parts;
    const endpointId = this.endpoint.id;
    let firstAttempt: Date | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Stopped();
      const secrets = await endpoints.secrets(endpointId);
      if (!secrets) return this.disabled('it was removed');
      const now = new Date();
      const result = await transport.send(this.endpoint.url, { id, body, secrets, now });
      const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
      const outcome = ok ? 'delivered' : result.httpStatus === 410 ? 'gone' : 'failed';
      await endpoints.recordAttempt({
        endpointId,
        eventId: id,
        eventType: type,
        subject,
        attempt,
        outcome,
        httpStatus: result.httpStatus,
        latencyMs: result.latencyMs,
        error: result.error,
        attemptedAt: now.toISOString(),
      });
      telemetry.attempted(endpointId, outcome);
      if (ok) {
        if (event.recordedAt.getTime() >= this.since)
          telemetry.delivered(endpointId, Math.max(0, Date.now() - event.recordedAt.getTime()) / 1000);
        return;
      }
      if (outcome === 'gone') return this.disabled(`it answered 410 Gone to event ${id}`);
      firstAttempt ??= (await endpoints.firstAttemptAt(endpointId, id)) ?? now;
      const delay = retryDelayMs({ ...policy, maxAttempts: Infinity }, attempt);
      if (Date.now() + delay - firstAttempt.getTime() > policy.retryForMs) {
        const seconds = Math.round(policy.retryForMs / 1000);
        return this.disabled(`event ${id} was not delivered within ${seconds} s (last: ${describe(result)})`);
      }
      await this.sleep(delay);
    }
  }

  private async disabled(reason: string): Promise<never> {
    this.stopped = true;
    await this.parts.endpoints.disable(this.endpoint.id, reason).catch(() => undefined);
    this.parts.logger.warn(`webhook ${this.endpoint.id} (${this.endpoint.url}) disabled: ${reason}`);
    this.parts.onDisabled(this.endpoint.id);
    throw new Stopped();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function describe(result: { httpStatus: number | null; error: string | null }): string {
  return result.httpStatus !== null ? `HTTP ${result.httpStatus}` : (result.error ?? 'no answer');
}
