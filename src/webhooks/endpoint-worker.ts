import { IntegrationEventReader } from '../integration-events/integration-event-reader.js';
import type { IntegrationEvent } from '../integration-events/integration-events.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type {
  DeliveryAttempt,
  DeliveryOutcome,
  TransportResult,
  WebhookEndpoint,
  WebhookEndpoints,
  WebhookTelemetry,
  WebhookTransport,
} from '../ports/webhooks.port.js';
import { SCHOOL_STREAM_PREFIX } from '../domain/school/events.js';
import { describeError } from '../shared/describe-error.js';
import { attemptRecord, describeAnswer, retryDelay, type DeliveryPolicy } from './delivery-attempt.js';
import { DeliveryLanes, type Delivery } from './delivery-lanes.js';
import { RecentSecrets } from './recent-secrets.js';
import { WakeableSleeps } from './wakeable-sleeps.js';

const RESTART_MS = 2000;
/**
 * Schools delivered to at once, per endpoint (each school's events still one after another), once the
 * endpoint answers: a worker starts at one request and opens all of them at its first 2xx; any failed
 * attempt closes it to one again, so a failing or gone endpoint never has more than one request open.
 * 32: during a 100-school burst on 2 cores one request takes 50-250 ms, so 8 lanes queue the burst's
 * events for over a second (recorded → 2xx); opening all at the first 2xx, rather than one lane per 2xx,
 * spares a fresh endpoint's first events the ~0.9 s that growing to 30 lanes takes.
 */
const IN_FLIGHT = 32;
/**
 * Events taken from the subscription and not yet delivered: below this the subscription reads on while
 * earlier events are delivered (a school's next event waits only for that school's, not for a whole batch);
 * at it, the subscription waits.
 */
const READ_AHEAD = 512;

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
  /** Dates the attempts (their signature and their line in the delivery log), and so each event's retry window. */
  clock: Clock;
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
  private readonly sleeps = new WakeableSleeps();
  private readonly reader: IntegrationEventReader;
  private readonly since = Date.now();
  private readonly secrets: RecentSecrets;
  /** Deliveries allowed at once now (1..IN_FLIGHT) and those open. */
  private window = 1;
  private open = 0;
  /** This run's (from start to its end): the undelivered events in store order, by school, and the schools ready. */
  private lanes = new DeliveryLanes();
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
    this.secrets = new RecentSecrets(() => parts.endpoints.secrets(endpoint.id));
  }

  /** Since the oldest event not yet delivered was recorded (0 when none waits). */
  get backlogSeconds(): number {
    const oldest = this.lanes.oldestWaiting();
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
    this.lanes = new DeliveryLanes();
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
    this.sleeps.wakeAll();
    this.room?.();
    this.ending = this.tearDown(reason);
  }

  private async tearDown(reason: unknown): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.subscription?.stop().catch(() => undefined);
    this.subscription = undefined;
    await this.persisting;
    await this.persist().catch(() => undefined);
    this.lanes.clear();
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
        this.lanes.add({ event, integration, before: this.lastHanded, done: false });
      this.lastHanded = event.position;
    }
    this.pump();
    this.persistSoon();
    while (this.lanes.size >= READ_AHEAD && this.failure === undefined)
      await new Promise<void>((resolve) => (this.room = resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  /** Starts the ready schools' next events while the window allows, oldest ready first. */
  private pump(): void {
    while (this.failure === undefined && this.open < this.window && this.lanes.hasReady) {
      const school = this.lanes.takeReady();
      this.open++;
      const run = this.deliverNext(school).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** The school's next event, until delivered; then the school is ready again if more of its events wait. */
  private async deliverNext(school: string): Promise<void> {
    const lanes = this.lanes;
    try {
      await this.deliver(lanes.next(school));
    } catch (error) {
      return this.end(error);
    } finally {
      this.open--;
    }
    lanes.delivered(school);
    if (this.lanes.size < READ_AHEAD) this.room?.();
    this.pump();
    this.persistSoon();
  }

  /** The position the checkpoint may move to: just before the oldest undelivered event, or the last one read. */
  private watermark(): GlobalPosition | undefined {
    return this.lanes.watermark(this.lastHanded);
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

  /** Until a 2xx; a 410 or the retry window running out disables the endpoint (and stops this worker). */
  private async deliver({ event, integration }: Delivery): Promise<void> {
    const { policy } = this.parts;
    const { id } = integration;
    let firstAttempt: Date | undefined;
    for (let attempt = 1; ; attempt++) {
      const { outcome, result, now } = await this.attempt(integration, attempt);
      this.window = outcome === 'delivered' ? IN_FLIGHT : 1;
      if (outcome === 'delivered') return this.measureDelivered(event);
      if (outcome === 'gone') return this.disabled(`it answered 410 Gone to event ${id}`);
      // The log may not hold this attempt yet: then an earlier run's first attempt, or this one, starts the window.
      firstAttempt ??= (await this.parts.endpoints.firstAttemptAt(this.endpoint.id, id)) ?? now;
      const delay = retryDelay(policy, attempt, firstAttempt, this.parts.clock.now().getTime());
      if (delay === undefined) {
        const seconds = Math.round(policy.retryForMs / 1000);
        return this.disabled(`event ${id} was not delivered within ${seconds} s (last: ${describeAnswer(result)})`);
      }
      await this.sleeps.sleep(delay);
    }
  }

  /** One request to the endpoint, put in the delivery log and counted. */
  private async attempt(
    integration: IntegrationEvent,
    attempt: number,
  ): Promise<{ outcome: DeliveryOutcome; result: TransportResult; now: Date }> {
    if (this.stopped || this.failure !== undefined) throw new Stopped();
    const secrets = await this.secrets.get();
    if (!secrets) return this.disabled('it was removed');
    const now = this.parts.clock.now();
    const body = JSON.stringify(integration);
    const result = await this.parts.transport.send(this.endpoint.url, { id: integration.id, body, secrets, now });
    const record = attemptRecord(this.endpoint.id, integration, attempt, result, now);
    // Logged in the background (persist): the school's next event need not wait for the write.
    this.unlogged.push(record);
    // Written now in the background too, so a failing endpoint's retries show in its log as they happen.
    this.persistSoon();
    this.parts.telemetry.attempted(this.endpoint.id, record.outcome);
    return { outcome: record.outcome, result, now };
  }

  /** Recorded → 2xx, for events recorded since this worker started (older ones would measure the backlog). */
  private measureDelivered(event: RecordedEvent): void {
    if (event.recordedAt.getTime() >= this.since)
      this.parts.telemetry.delivered(this.endpoint.id, Math.max(0, Date.now() - event.recordedAt.getTime()) / 1000);
  }

  private async disabled(reason: string): Promise<never> {
    this.stopped = true;
    await this.parts.endpoints.disable(this.endpoint.id, reason).catch(() => undefined);
    this.parts.logger.warn(`webhook ${this.endpoint.id} (${this.endpoint.url}) disabled: ${reason}`);
    this.parts.onDisabled(this.endpoint.id);
    throw new Stopped();
  }
}
