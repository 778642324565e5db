import { react } from '../domain/school/react.js';
import { schoolIdFromStream } from '../domain/school/events.js';
import type { CheckpointStore } from '../ports/checkpoint-store.port.js';
import { systemTimers, type Clock, type Timers } from '../ports/clock.port.js';
import { noLocks, type Locks } from '../ports/locks.port.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { noTelemetry, type Telemetry } from '../ports/telemetry.port.js';
import { noTracing, type Tracing } from '../ports/tracing.port.js';
import { describeError } from '../shared/describe-error.js';
import { executeSchoolCommand, loadSchool, type LoadedSchool } from '../school/school-stream.js';
import { ActionAttempts } from './action-attempt.js';
import { HandledCheckpoint } from './handled-checkpoint.js';
import type { RetryPolicy } from './retry-policy.js';
import { SchoolEventFeed } from './school-event-feed.js';
import { SchoolLanes } from './school-lanes.js';
import { schoolSpan, SchoolRequests } from './school-requests.js';
import { reportSettled } from './settled-telemetry.js';
import type { StepPorts } from './step-runner.js';

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
  private stopping = false;
  private readonly telemetry: Telemetry;
  private readonly tracing: Tracing;
  private readonly checkpoint: HandledCheckpoint;
  private readonly feed: SchoolEventFeed;
  private readonly lanes: SchoolLanes;
  private readonly requests: SchoolRequests;
  private readonly attempts: ActionAttempts;

  constructor(
    private readonly store: EventStore,
    checkpoints: CheckpointStore,
    ports: StepPorts,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly options: ProcessManagerOptions,
  ) {
    const name = options.name ?? 'process-manager';
    const stopping = () => this.stopping;
    this.telemetry = options.telemetry ?? noTelemetry;
    this.tracing = options.tracing ?? noTracing;
    const { telemetry, tracing } = this;
    this.checkpoint = new HandledCheckpoint(checkpoints, name, logger);
    this.feed = new SchoolEventFeed({ store, clock, logger, telemetry, name, stopping }, (e) => this.onEvent(e));
    const timers = options.timers ?? systemTimers;
    this.lanes = new SchoolLanes((id) => this.work(id), { concurrency: options.concurrency ?? 8, timers, stopping });
    this.requests = new SchoolRequests(clock);
    this.attempts = new ActionAttempts({ store, ports, clock, logger, policy: options.policy, telemetry, tracing });
  }

  async start(): Promise<void> {
    const after = await this.checkpoint.load();
    this.stopping = false;
    this.feed.follow(after);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.feed.stop();
    await this.lanes.drain();
    await this.checkpoint.saved();
  }

  get status(): { running: number; queued: number; backlog: number } {
    return { ...this.lanes.status, backlog: this.checkpoint.backlog };
  }

  private async onEvent(event: RecordedEvent): Promise<void> {
    const schoolId = schoolIdFromStream(event.streamId);
    if (!schoolId) return;
    this.checkpoint.track(event.position, schoolId);
    this.lanes.schedule(schoolId);
  }

  private async work(schoolId: string): Promise<void> {
    const handled = this.checkpoint.pending(schoolId);
    const lock = await (this.options.locks ?? noLocks).tryLock(`school:${schoolId}`).catch(() => undefined);
    if (!lock) {
      // Another replica is on it (or the lock could not be asked for). These events stay unfinished
      // here until a later look finds nothing to do, so a replica that dies is taken over.
      this.lanes.lookAgain(schoolId, this.options.lockedRetryMs ?? 1000);
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
        this.lanes.lookAgain(schoolId, delay);
        return;
      }
      this.checkpoint.completed(handled);
    } catch (error) {
      // The event store or a port failed outside a step (e.g. the database is restarting): try again soon.
      const correlationId = this.requests.correlationIdOf(schoolId);
      this.logger.warn(`school ${schoolId}: ${describeError(error)}; retrying in 1 s`, { schoolId, correlationId });
      this.lanes.lookAgain(schoolId, 1000);
    }
  }

  /** Runs actions until the school has nothing to do (undefined) or must wait (the time to wake). */
  private async advance(schoolId: string): Promise<number | undefined> {
    // The stream as this loop's last append left it: the next action is decided on it without reading
    // the stream again (a writer that appended meanwhile makes that append fail, and it is read then).
    let known: LoadedSchool | undefined;
    for (;;) {
      if (this.stopping) return undefined;
      const loaded = known ?? (await loadSchool(this.store, schoolId));
      this.requests.remember(schoolId, loaded);
      const reaction = react(loaded.state, this.clock.now().toISOString());
      switch (reaction.type) {
        case 'ignore':
          this.requests.forget(schoolId);
          return undefined;
        case 'wait':
          return Date.parse(reaction.until);
        case 'conclude':
          known = await this.conclude(schoolId, loaded);
          continue;
        case 'run': {
          const metadata = this.requests.metadata(schoolId);
          known = await this.attempts.run(loaded, reaction.action, reaction.attempt, metadata);
          continue;
        }
      }
    }
  }

  /** Records that the school has nothing left to run (`Conclude`), in a span of its own. */
  private async conclude(schoolId: string, loaded: LoadedSchool): Promise<LoadedSchool | undefined> {
    const state = loaded.state!;
    const now = this.clock.now().toISOString();
    const conclude = () => ({ type: 'Conclude' as const, data: { now } });
    const metadata = this.requests.metadata(schoolId);
    const concluded = await this.tracing.inSpan('conclude', schoolSpan(state, metadata), async (span) => {
      const result = await executeSchoolCommand(this.store, schoolId, conclude, metadata, {
        known: loaded,
        clock: this.clock,
      });
      span.set({ 'scs.school.status': result.state?.status ?? 'unknown' });
      return result;
    });
    reportSettled(this.telemetry, this.clock, state, concluded.state);
    return concluded.loaded;
  }
}
