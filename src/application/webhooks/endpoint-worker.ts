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
 * endpoint answers: a worker starts at one request and opens all of them at its first 2xx; any failed
 * attempt closes it to one again, so a failing or gone endpoint never has more than one request open.
 * 32, not 8: during a 100-school burst on 2 cores one request took 50-250 ms, and 8 lanes queued the
 * burst's events for up to 1.1 s (p99 1.2 s, recorded → 2xx); growing one lane per 2xx took ~0.9 s to
 * reach 30 from a fresh endpoint, which the burst's first events waited for.
 */
const IN_FLIGHT = 32;
/**
 * Events taken from the subscription and not yet delivered: below this the subscription reads on while
 * earlier events are delivered (a school's next event waits only for that school's, not for a whole batch);
 * at it, the subscription waits.
 */
const READ_AHEAD = 512;

interface Delivery {
  event: RecordedEvent;
  integration: IntegrationEvent;
  /** The position of the event handed to the worker before this one: where a checkpoint stops short of it. */
  before: GlobalPosition | undefined;
  done: boolean;
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
 * Delivers to one endpoint, from its own checkpoint: its own subscription to the school events, each school's
 * events one at a time in store order (so in order per school), each retried with backoff until a 2xx. The
 * subscription reads on while earlier events are delivered (up to READ_AHEAD undelivered), each school in its
 * own lane, up to IN_FLIGHT lanes at once; an event waits for its own school's earlier events only.
 * The checkpoint is the position just before the oldest event not yet delivered, saved in the background after
 * the attempts that moved it are in the delivery log, so a crash delivers again (at least once, with the same
 * `webhook-id`) only what was not known to be delivered. A slow or failing endpoint holds back only its own worker.
 */
export class EndpointWorker {
  private subscription?: Subscription;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly sleepers = new Set<() => void>();
  private readonly reader: IntegrationEventReader;
  private readonly since = Date.now();
  private secretsRead?: { secrets: WebhookSecrets; at: number };
  /** Deliveries allowed at once now (1..IN_FLIGHT) and those open. */
  private window = 1;
  private open = 0;
  /** This run's (from start to its end): the undelivered events in store order, by school, and the schools ready. */
  private pending: Delivery[] = [];
  private lanes = new Map<string, Delivery[]>();
  private ready: string[] = [];
  private running = new Set<Promise<void>>();
  private lastHanded?: GlobalPosition;
  private lastSaved?: GlobalPosition;
  /** Attempts not yet in the delivery log (kept across runs: a failed run's are written by the next). */
  private readonly unlogged: DeliveryAttempt[] = [];
  private persisting?: Promise<void>;
  /** Why this run ended (set once), and its teardown. */
  private failure?: unknown;
  private ending?: Promise<void>;
  private room?: () => void;

  constructor(
    readonly endpoint: WebhookEndpoint,
    private readonly parts: WorkerParts,
  ) {
    this.reader = new IntegrationEventReader(parts.store, parts.source);
  }

  /** Since the oldest event not yet delivered was recorded (0 when none waits). */
  get backlogSeconds(): number {
    const oldest = this.pending.find((d) => !d.done);
    return oldest ? Math.max(0, (Date.now() - oldest.event.recordedAt.getTime()) / 1000) : 0;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    let after: GlobalPosition | undefined;
    try {
      after = await this.parts.endpoints.loadCheckpoint(this.endpoint.id);
    } catch (error) {
      return this.restart(error);
    }
    if (this.stopped) return;
    this.pending = [];
    this.lanes = new Map();
    this.ready = [];
    this.failure = undefined;
    this.ending = undefined;
    this.lastHanded = this.lastSaved = after;
    this.subscription = this.parts.store.subscribeToAll({
      after,
      streamPrefix: SCHOOL_STREAM_PREFIX,
      handleBatch: (events) => this.handleBatch(events),
      onError: (error) => this.end(error),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.end(new Stopped());
    await this.ending;
  }

  /**
   * Ends this run (the first reason counts): the deliveries under way finish or give up, the subscription
   * stops, what was delivered is logged and saved, and unless stopped the worker starts again from its checkpoint.
   */
  private end(reason: unknown): void {
    if (this.failure !== undefined || !this.subscription) return;
    this.failure = reason;
    for (const wake of this.sleepers) wake();
    this.room?.();
    this.ending = this.tearDown(reason);
  }

  private async tearDown(reason: unknown): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.subscription?.stop().catch(() => undefined);
    this.subscription = undefined;
    await this.persisting;
    await this.persist().catch(() => undefined);
    this.pending = [];
    this.lanes.clear();
    this.ready = [];
    this.restart(reason);
  }

  private restart(error: unknown): void {
    if (this.stopped || error instanceof Stopped) return;
    this.parts.logger.warn(`webhook ${this.endpoint.id}: ${describeError(error)}; starting again in 2 s`);
    this.timer = setTimeout(() => void this.start(), RESTART_MS);
    this.timer.unref();
  }

  /**
   * The batch's events mapped in store order (the reader folds each school as it goes), those the endpoint
   * wants put in their school's lane; returns once fewer than READ_AHEAD wait, so the next page is read
   * while these are delivered.
   */
  private async handleBatch(events: RecordedEvent[]): Promise<void> {
    for (const event of events) {
      if (this.failure !== undefined) throw this.failure;
      const integration = await this.reader.of(event);
      if (integration && this.endpoint.eventTypes.includes(integration.type))
        this.enqueue({ event, integration, before: this.lastHanded, done: false });
      this.lastHanded = event.position;
    }
    this.pump();
    this.persistSoon();
    while (this.pending.length >= READ_AHEAD && this.failure === undefined)
      await new Promise<void>((resolve) => (this.room = resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private enqueue(delivery: Delivery): void {
    this.pending.push(delivery);
    const school = delivery.integration.subject;
    const lane = this.lanes.get(school);
    if (lane) return void lane.push(delivery);
    this.lanes.set(school, [delivery]);
    this.ready.push(school);
  }

  /** Starts the ready schools' next events while the window allows, oldest ready first. */
  private pump(): void {
    while (this.failure === undefined && this.open < this.window && this.ready.length > 0) {
      const school = this.ready.shift()!;
      this.open++;
      const run = this.deliverNext(school).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** The school's next event, until delivered; then the school is ready again if more of its events wait. */
  private async deliverNext(school: string): Promise<void> {
    const lane = this.lanes.get(school)!;
    const delivery = lane[0];
    try {
      await this.deliver(delivery);
    } catch (error) {
      return this.end(error);
    } finally {
      this.open--;
    }
    delivery.done = true;
    lane.shift();
    if (lane.length > 0) this.ready.push(school);
    else this.lanes.delete(school);
    while (this.pending[0]?.done) this.pending.shift();
    if (this.pending.length < READ_AHEAD) this.room?.();
    this.pump();
    this.persistSoon();
  }

  /** The position the checkpoint may move to: just before the oldest undelivered event, or the last one read. */
  private watermark(): GlobalPosition | undefined {
    return this.pending.length > 0 ? this.pending[0].before : this.lastHanded;
  }

  /** Writes the attempts and saves the checkpoint in the background, one write at a time. */
  private persistSoon(): void {
    if (this.persisting || this.failure !== undefined) return;
    const moved = this.watermark() !== this.lastSaved;
    if (this.unlogged.length === 0 && !moved) return;
    this.persisting = this.persist()
      .catch((error: unknown) => this.end(error))
      .finally(() => {
        this.persisting = undefined;
        this.persistSoon();
      });
  }

  /**
   * The attempts first, then the checkpoint: a checkpoint past an event means its delivery is in the log.
   * A replay (a new generation) or removal since this worker started stops it: the dispatcher starts anew.
   */
  private async persist(): Promise<void> {
    const attempts = this.unlogged.splice(0);
    if (attempts.length > 0 && !(await this.parts.endpoints.recordAttempts(attempts)))
      return this.disabled('it was removed');
    const position = this.watermark();
    if (!position || position === this.lastSaved) return;
    const saved = await this.parts.endpoints.saveCheckpoint(this.endpoint.id, position, this.endpoint.generation);
    if (!saved) {
      this.stopped = true;
      throw new Stopped();
    }
    this.lastSaved = position;
  }

  /** The endpoint's secrets, read again when a second old (so a rotation signs within a second). */
  private async secrets(): Promise<WebhookSecrets | undefined> {
    if (this.secretsRead && Date.now() - this.secretsRead.at < SECRETS_FRESH_MS) return this.secretsRead.secrets;
    const secrets = await this.parts.endpoints.secrets(this.endpoint.id);
    this.secretsRead = secrets && { secrets, at: Date.now() };
    return secrets;
  }

  /** Until a 2xx; a 410 or the retry window running out disables the endpoint (and stops this worker). */
  private async deliver({ event, integration }: Delivery): Promise<void> {
    const { transport, telemetry, policy } = this.parts;
    const { id, type, subject } = integration;
    const body = JSON.stringify(integration);
    const endpointId = this.endpoint.id;
    let firstAttempt: Date | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped || this.failure !== undefined) throw new Stopped();
      const secrets = await this.secrets();
      if (!secrets) return this.disabled('it was removed');
      const now = new Date();
      const result = await transport.send(this.endpoint.url, { id, body, secrets, now });
      const ok = result.httpStatus !== null && result.httpStatus >= 200 && result.httpStatus < 300;
      const outcome = ok ? 'delivered' : result.httpStatus === 410 ? 'gone' : 'failed';
      // Logged in the background (persist): the school's next event need not wait for the write.
      this.unlogged.push({
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
      // Written now in the background too, so a failing endpoint's retries show in its log as they happen.
      this.persistSoon();
      telemetry.attempted(endpointId, outcome);
      this.window = ok ? IN_FLIGHT : 1;
      if (ok) {
        if (event.recordedAt.getTime() >= this.since)
          telemetry.delivered(endpointId, Math.max(0, Date.now() - event.recordedAt.getTime()) / 1000);
        return;
      }
      if (outcome === 'gone') return this.disabled(`it answered 410 Gone to event ${id}`);
      // The log may not hold this attempt yet: then an earlier run's first attempt, or this one, starts the window.
      firstAttempt ??= (await this.parts.endpoints.firstAttemptAt(endpointId, id)) ?? now;
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
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function describe(result: { httpStatus: number | null; error: string | null }): string {
  return result.httpStatus !== null ? `HTTP ${result.httpStatus}` : (result.error ?? 'no answer');
}
