import { IntegrationEventReader } from '../integration-events/integration-event-reader.js';
import type { IntegrationEvent } from '../integration-events/integration-events.js';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type {
  DeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpoints,
  WebhookSecrets,
  WebhookTelemetry,
  WebhookTransport,
} from '../ports/webhooks.port.js';
import { retryDelayMs } from '../process-manager/retry-policy.js';
import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import { describeError } from '../describe-error.js';

const RESTART_MS = 2000;
const SECRETS_FRESH_MS = 1000;
/**
 * Schools delivered to at once, per endpoint (each school's events still one after another), once the
 * endpoint answers: a worker starts at one and opens one more per delivered event (slow start); any failed
 * attempt closes it to one again, so a failing or gone endpoint never has more than one request open.
 */
const IN_FLIGHT = 8;
/** Events delivered between two saves of the position. */
const CHUNK = 64;

interface Delivery {
  event: RecordedEvent;
  integration: IntegrationEvent;
}

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
  /** The recorded times of the events being delivered now (the oldest: the backlog gauge). */
  private readonly inFlight = new Set<Date>();
  private readonly reader: IntegrationEventReader;
  private readonly since = Date.now();
  private secretsRead?: { secrets: WebhookSecrets; at: number };
  /** Deliveries allowed at once now (1..IN_FLIGHT), those open, and the runners waiting for one. */
  private window = 1;
  private open = 0;
  private waiting: Array<() => void> = [];

  constructor(
    readonly endpoint: WebhookEndpoint,
    private readonly parts: WorkerParts,
  ) {
    this.reader = new IntegrationEventReader(parts.store, parts.source);
  }

  get backlogSeconds(): number {
    if (this.inFlight.size === 0) return 0;
    const oldest = Math.min(...[...this.inFlight].map((d) => d.getTime()));
    return Math.max(0, (Date.now() - oldest) / 1000);
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
    this.wakeWaiting();
    await this.subscription?.stop().catch(() => undefined);
  }

  private failed(error: unknown): void {
    this.subscription = undefined;
    this.inFlight.clear();
    if (this.stopped || error instanceof Stopped) return;
    this.parts.logger.warn(`webhook ${this.endpoint.id}: ${describeError(error)}; starting again in 2 s`);
    this.timer = setTimeout(() => void this.start(), RESTART_MS);
    this.timer.unref();
  }

  /**
   * The batch's events mapped in store order (the reader folds each school as it goes); those the endpoint
   * wants delivered in chunks: within a chunk a school's events one after another, up to IN_FLIGHT schools
   * at once; after each chunk the position moves past it. A crash sends at most a chunk again.
   */
  private async handleBatch(events: RecordedEvent[]): Promise<void> {
    const wanted: Delivery[] = [];
    for (const event of events) {
      if (this.stopped) throw new Stopped();
      const integration = await this.reader.of(event);
      if (integration && this.endpoint.eventTypes.includes(integration.type)) wanted.push({ event, integration });
    }
    for (let at = 0; at < wanted.length; at += CHUNK) {
      const chunk = wanted.slice(at, at + CHUNK);
      await this.deliverChunk(chunk);
      // Past the chunk, and past the events not wanted after it up to the next chunk (or the batch's end).
      const next = wanted[at + CHUNK];
      const upTo = next ? events[events.indexOf(next.event) - 1] : events[events.length - 1];
      await this.save(upTo.position);
    }
    if (wanted.length === 0) await this.save(events[events.length - 1].position);
  }

  private async deliverChunk(chunk: Delivery[]): Promise<void> {
    const lanes = new Map<string, Delivery[]>();
    for (const d of chunk) lanes.set(d.integration.subject, [...(lanes.get(d.integration.subject) ?? []), d]);
    const queue = [...lanes.values()];
    let failure: unknown;
    const runLanes = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const { event, integration } of lane) {
          if (failure !== undefined || this.stopped) return;
          await this.acquire();
          if (failure !== undefined || this.stopped) return this.release();
          this.inFlight.add(event.recordedAt);
          try {
            await this.deliver(
              event,
              integration.id,
              integration.type,
              integration.subject,
              JSON.stringify(integration),
            );
          } catch (error) {
            failure ??= error;
          } finally {
            this.inFlight.delete(event.recordedAt);
            this.release();
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, runLanes));
    if (failure !== undefined) throw failure;
    if (this.stopped) throw new Stopped();
  }

  private async acquire(): Promise<void> {
    while (this.open >= this.window && !this.stopped) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.open++;
  }

  private release(): void {
    this.open--;
    this.wakeWaiting();
  }

  private wakeWaiting(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** A replay (a new generation) or removal since this worker started stops it: the dispatcher starts anew. */
  private async save(position: GlobalPosition): Promise<void> {
    this.saved(await this.parts.endpoints.saveCheckpoint(this.endpoint.id, position, this.endpoint.generation));
  }

  private saved(saved: boolean): void {
    if (saved) return;
    this.stopped = true;
    throw new Stopped();
  }

  /** The endpoint's secrets, read again when a second old (so a rotation signs within a second). */
  private async secrets(): Promise<WebhookSecrets | undefined> {
    if (this.secretsRead && Date.now() - this.secretsRead.at < SECRETS_FRESH_MS) return this.secretsRead.secrets;
    const secrets = await this.parts.endpoints.secrets(this.endpoint.id);
    this.secretsRead = secrets && { secrets, at: Date.now() };
    return secrets;
  }

  /** Until a 2xx; a 410 or the retry window running out disables the endpoint (and stops this worker). */
  private async deliver(event: RecordedEvent, id: string, type: string, subject: string, body: string): Promise<void> {
    const { endpoints, transport, telemetry, policy } = this.parts;
    const endpointId = this.endpoint.id;
    let firstAttempt: Date | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Stopped();
      const secrets = await this.secrets();
      if (!secrets) return this.disabled('it was removed');
      const now = new Date();
      const result = await transport.send(this.endpoint.url, { id, body, secrets, now });
      const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
      const outcome = ok ? 'delivered' : result.httpStatus === 410 ? 'gone' : 'failed';
      const attempted: DeliveryAttempt = {
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
      };
      if (!(await endpoints.recordAttempt(attempted))) return this.disabled('it was removed');
      telemetry.attempted(endpointId, outcome);
      this.window = ok ? Math.min(IN_FLIGHT, this.window + 1) : 1;
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
