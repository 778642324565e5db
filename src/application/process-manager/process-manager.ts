import { randomUUID } from 'node:crypto';
import { react } from '../../domain/school/react.js';
import { schoolIdFromStream, SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import { kindOf, type ActionName } from '../../domain/school/steps.js';
import type { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { systemTimers, type Clock, type Timers } from '../ports/clock.port.js';
import { noLocks, type Locks } from '../ports/locks.port.js';
import type {
  EventMetadata,
  EventStore,
  GlobalPosition,
  RecordedEvent,
  Subscription,
} from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { noTelemetry, reportHandled, type Telemetry } from '../ports/telemetry.port.js';
import { noTracing, type SpanAttributes, type SpanHandle, type Tracing } from '../ports/tracing.port.js';
import { executeSchoolCommand, loadSchool, type LoadedSchool } from '../school/school-stream.js';
import { PositionTracker } from './position-tracker.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { describeError } from '../describe-error.js';
import { isPermanent } from '../ports/step-error.js';
import { runAction, type StepPorts } from './step-runner.js';

export interface ProcessManagerOptions {
  name?: string;
  /** Schools worked on at once; each school's steps run one at a time. */
  concurrency?: number;
  policy: RetryPolicy;
  /** Keeps replicas from working on the same school at once (default: a single process). */
  locks?: Locks;
  /** How soon to look again at a school another replica is working on. */
  lockedRetryMs?: number;
  /** What the retry, lock and error waits use (default: the process's own timers). */
  timers?: Timers;
  /** Step and school timings for operators (default: none). */
  telemetry?: Telemetry;
  /** A span per step attempt and conclusion, in the trace of the school's request (default: none). */
  tracing?: Tracing;
}

/**
 * The durable process manager. It follows every school event from its stored checkpoint, and for the
 * school concerned asks the pure `react` what comes next: run a step, undo one, wait for a retry, or
 * conclude. Its checkpoint only passes events whose school has nothing left to do right now, so a
 * restart picks up any school whose step was interrupted (and re-runs that step, idempotently).
 */
export class ProcessManager {
  private readonly name: string;
  private readonly concurrency: number;
  private tracker = new PositionTracker();
  private subscription?: Subscription;
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  /** Schools waiting for a free slot, in the order they came (a Set: each once, found at once). */
  private readonly queue = new Set<string>();
  private readonly timers = new Map<string, unknown>();
  private stopping = false;
  private lastDelivered?: GlobalPosition;
  /** The correlation id (and trace context) of each school's request, carried by every event written for it. */
  private readonly correlation = new Map<
    string,
    { correlationId: string; traceparent?: unknown; causationId?: string }
  >();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly ports: StepPorts,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly options: ProcessManagerOptions,
  ) {
    this.name = options.name ?? 'process-manager';
    this.concurrency = options.concurrency ?? 8;
  }

  async start(): Promise<void> {
    const after = await this.checkpoints.load(this.name);
    this.tracker = new PositionTracker(after);
    this.stopping = false;
    this.subscribe(after);
  }

  /** Follows the school events; if the subscription ever stops on an error, it is started again. */
  private subscribe(after: GlobalPosition | undefined): void {
    const since = this.clock.now().getTime();
    const telemetry = this.options.telemetry ?? noTelemetry;
    this.subscription = this.store.subscribeToAll({
      after,
      streamPrefix: SCHOOL_STREAM_PREFIX,
      handler: async (event) => {
        this.lastDelivered = event.position;
        await this.onEvent(event);
        reportHandled(telemetry, this.name, since, this.clock.now().getTime(), [event]);
      },
      onError: (error) => {
        this.logger.error(`process manager subscription stopped: ${describeError(error)}; starting it again in 2 s`);
        if (!this.stopping)
          setTimeout(() => !this.stopping && this.subscribe(this.lastDelivered ?? after), 2000).unref();
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    for (const timer of this.timers.values()) this.clockTimers.clear(timer);
    this.timers.clear();
    this.queue.clear();
    await Promise.allSettled([...this.running.values()]);
    await this.saving;
  }

  get status(): { running: number; queued: number; backlog: number } {
    return { running: this.running.size, queued: this.queue.size, backlog: this.tracker.backlog };
  }

  private async onEvent(event: RecordedEvent): Promise<void> {
    const schoolId = schoolIdFromStream(event.streamId);
    if (!schoolId) return;
    this.tracker.track(event.position, schoolId);
    this.schedule(schoolId);
  }

  private schedule(schoolId: string): void {
    if (this.stopping) return;
    const timer = this.timers.get(schoolId);
    if (timer) {
      this.clockTimers.clear(timer);
      this.timers.delete(schoolId);
    }
    if (this.running.has(schoolId)) {
      this.rerun.add(schoolId);
      return;
    }
    if (this.running.size >= this.concurrency) {
      this.queue.add(schoolId);
      return;
    }
    const run = this.work(schoolId).finally(() => {
      this.running.delete(schoolId);
      const again = this.rerun.delete(schoolId);
      if (again) this.schedule(schoolId);
      const next = this.queue.values().next();
      if (!next.done) {
        this.queue.delete(next.value);
        this.schedule(next.value);
      }
    });
    this.running.set(schoolId, run);
  }

  private async work(schoolId: string): Promise<void> {
    const handled = this.tracker.snapshot(schoolId);
    const lock = await (this.options.locks ?? noLocks).tryLock(`school:${schoolId}`).catch(() => undefined);
    if (!lock) {
      // Another replica is on it (or the lock could not be asked for). These events stay unfinished
      // here until a later look finds nothing to do, so a replica that dies is taken over.
      this.lookAgain(schoolId, this.options.lockedRetryMs ?? 1000);
      return;
    }
    try {
      await this.workLocked(schoolId, handled);
    } finally {
      await lock.release();
    }
  }

  private async workLocked(schoolId: string, handled: Set<GlobalPosition>): Promise<void> {
    try {
      const waitUntil = await this.advance(schoolId);
      // Stopped mid-way: these events stay unfinished, so the next start resumes the school.
      if (this.stopping) return;
      if (waitUntil !== undefined) {
        // Not finished: the checkpoint stays before these events until the retry has run.
        const delay = Math.max(0, waitUntil - this.clock.now().getTime());
        this.lookAgain(schoolId, delay);
        return;
      }
      this.completed(handled);
    } catch (error) {
      // The event store or a port failed outside a step (e.g. the database is restarting): try again soon.
      const correlationId = this.correlation.get(schoolId)?.correlationId;
      this.logger.warn(`school ${schoolId}: ${describeError(error)}; retrying in 1 s`, { schoolId, correlationId });
      this.lookAgain(schoolId, 1000);
    }
  }

  private lookAgain(schoolId: string, ms: number): void {
    if (this.stopping) return;
    this.timers.set(
      schoolId,
      this.clockTimers.set(() => {
        this.timers.delete(schoolId);
        this.schedule(schoolId);
      }, ms),
    );
  }

  private get clockTimers(): Timers {
    return this.options.timers ?? systemTimers;
  }

  /** Runs actions until the school has nothing to do (undefined) or must wait (the time to wake). */
  private async advance(schoolId: string): Promise<number | undefined> {
    // The stream as this loop's last append left it: the next action is decided on it without reading
    // the stream again (a writer that appended meanwhile makes that append fail, and it is read then).
    let known: LoadedSchool | undefined;
    for (;;) {
      if (this.stopping) return undefined;
      const loaded = known ?? (await loadSchool(this.store, schoolId));
      const { state, events } = loaded;
      // A restore's steps belong to its own request (and trace), not the school's first one.
      const restoreRequest = state?.restore && events.findLast((e) => e.type === 'SchoolRestoreRequested');
      const request = (restoreRequest || events[0])?.metadata;
      const correlationId = request?.correlationId ?? schoolId;
      // What the process manager appends next is caused by the school's last event (the one it reacts to).
      const causationId = events[events.length - 1]?.id;
      this.correlation.set(schoolId, { correlationId, traceparent: request?.traceparent, causationId });
      const now = this.clock.now();
      const reaction = react(state, now.toISOString());
      switch (reaction.type) {
        case 'ignore':
          this.correlation.delete(schoolId); // nothing to do: the school's entry is not needed any more
          return undefined;
        case 'wait':
          return Date.parse(reaction.until);
        case 'conclude': {
          const now = this.clock.now().toISOString();
          const conclude = () => ({ type: 'Conclude' as const, data: { now } });
          const metadata = this.metadata(schoolId);
          const concluded = await this.tracing.inSpan('conclude', this.spanOptions(state!, metadata), async (span) => {
            const result = await executeSchoolCommand(this.store, schoolId, conclude, metadata, { known: loaded });
            span.set({ 'scs.school.status': result.state?.status ?? 'unknown' });
            return result;
          });
          this.settled(state!, concluded.state);
          known = concluded.loaded;
          continue;
        }
        case 'run':
          known = await this.runOne(loaded, reaction.action, reaction.attempt);
          continue;
      }
    }
  }

  /**
   * Runs one action on the school as just loaded, and records its result or failure on that stream, in a
   * span of its own (`step create_dns`, `compensation delete_dns`, `lifecycle suspend_school`) in the trace
   * of the school's request.
   */
  private async runOne(loaded: LoadedSchool, action: ActionName, attempt: number): Promise<LoadedSchool | undefined> {
    const state = loaded.state!;
    const metadata = this.metadata(state.id);
    const kind = kindOf(action);
    const attributes = { 'scs.step.name': action, 'scs.step.kind': kind, 'scs.step.attempt': attempt };
    const options = this.spanOptions(state, metadata, attributes);
    return this.tracing.inSpan(`${kind} ${action}`, options, (span) =>
      this.runTraced(loaded, action, attempt, metadata, span),
    );
  }

  private async runTraced(
    loaded: LoadedSchool,
    action: ActionName,
    attempt: number,
    metadata: EventMetadata,
    span: SpanHandle,
  ): Promise<LoadedSchool | undefined> {
    const state = loaded.state!;
    const startedAt = this.clock.now().toISOString();
    const { correlationId } = metadata;
    const fields = { schoolId: state.id, slug: state.details.slug, correlationId, step: action };
    const timed = this.timer(action, attempt);
    this.logger.log(`school ${state.id} (${state.details.slug}): ${action} attempt ${attempt}`, fields);
    try {
      const event = await runAction(this.ports, state, action, { attempt, startedAt }, metadata);
      timed();
      span.set({ 'scs.step.outcome': 'succeeded' });
      const now = this.clock.now().toISOString();
      const result = () => ({ type: 'RecordStepResult' as const, data: { action, event, now } });
      const recorded = await executeSchoolCommand(
        this.store,
        state.id,
        result,
        { ...metadata, now },
        { known: loaded },
      );
      this.settled(state, recorded.state);
      return recorded.loaded;
    } catch (error) {
      const now = this.clock.now();
      const permanent = isPermanent(error);
      const retryAt = new Date(now.getTime() + retryDelayMs(this.options.policy, attempt)).toISOString();
      const message = describeError(error);
      timed({ permanent });
      span.set({ 'scs.step.outcome': permanent ? 'failed_permanently' : 'failed' });
      span.fail(message);
      const failed = `${action} attempt ${attempt} failed${permanent ? ' permanently' : ''}`;
      this.logger.warn(`school ${state.id} (${state.details.slug}): ${failed}: ${message}`, fields);
      const recorded = await executeSchoolCommand(
        this.store,
        state.id,
        () => ({
          type: 'RecordStepFailure',
          data: {
            action,
            attempt,
            error: message,
            permanent,
            maxAttempts: this.options.policy.maxAttempts,
            retryAt,
            startedAt,
            finishedAt: now.toISOString(),
            now: now.toISOString(),
          },
        }),
        { ...metadata, now: now.toISOString() },
        { known: loaded },
      );
      this.settled(state, recorded.state);
      return recorded.loaded;
    }
  }

  /** Times one run of an action; the first call reports it (success, or a failure and whether it is retried). */
  private timer(action: ActionName, attempt: number): (failure?: { permanent: boolean }) => void {
    const started = performance.now();
    let reported = false;
    return (failure) => {
      if (reported) return;
      reported = true;
      const kind = kindOf(action);
      // Compensations and lifecycle actions are retried until they succeed; steps until their last attempt.
      const lastAttempt = attempt >= this.options.policy.maxAttempts;
      const retried = failure !== undefined && (kind !== 'step' || (!failure.permanent && !lastAttempt));
      const outcome = failure ? 'failed' : 'succeeded';
      const seconds = (performance.now() - started) / 1000;
      (this.options.telemetry ?? noTelemetry).actionFinished({ action, kind, outcome, retried, seconds });
    };
  }

  /** A school that has just become active or failed from its request: its time since then, for operators. */
  private settled(before: SchoolState, after: SchoolState | undefined): void {
    const restore = before.restore;
    if (restore && after && !after.restore && (after.status === 'active' || after.status === 'deleted')) {
      const seconds = (this.clock.now().getTime() - Date.parse(restore.requestedAt)) / 1000;
      (this.options.telemetry ?? noTelemetry).restoreSettled(
        after.status === 'active' ? 'restored' : 'failed',
        seconds,
      );
      return;
    }
    if (!after || after.status === before.status || (after.status !== 'active' && after.status !== 'failed')) return;
    // A resumed school becomes active too: not the end of its provisioning.
    if (before.status !== 'provisioning' && before.status !== 'rolling_back') return;
    const seconds = (this.clock.now().getTime() - Date.parse(after.createdAt)) / 1000;
    (this.options.telemetry ?? noTelemetry).schoolSettled(after.status, seconds);
  }

  private completed(positions: Set<GlobalPosition>): void {
    const checkpoint = this.tracker.complete(positions);
    if (!checkpoint) return;
    this.saving = this.saving
      .then(() => this.checkpoints.save(this.name, this.tracker.checkpoint ?? checkpoint))
      .catch((error) => this.logger.warn(`could not save the process manager checkpoint: ${describeError(error)}`));
  }

  private get tracing(): Tracing {
    return this.options.tracing ?? noTracing;
  }

  /** A span about the school, continuing the trace its request's events carry (`traceparent`). */
  private spanOptions(state: SchoolState, metadata: EventMetadata, attributes: SpanAttributes = {}) {
    const traceparent = typeof metadata.traceparent === 'string' ? metadata.traceparent : undefined;
    const school = { 'scs.school.id': state.id, 'scs.school.slug': state.details.slug };
    return { traceparent, attributes: { ...school, ...attributes } };
  }

  private metadata(schoolId: string): EventMetadata {
    const { correlationId, traceparent, causationId } = this.correlation.get(schoolId) ?? { correlationId: schoolId };
    const trace = typeof traceparent === 'string' ? { traceparent } : {};
    const now = this.clock.now().toISOString();
    return { actor: 'process-manager', correlationId, ...trace, causationId: causationId ?? randomUUID(), now };
  }
}
