import type { SchoolEvent } from '../domain/school/events.js';
import type { SchoolState } from '../domain/school/state.js';
import { kindOf, type ActionName } from '../domain/school/steps.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventMetadata, EventStore } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { isPermanent } from '../ports/step-error.js';
import type { Telemetry } from '../ports/telemetry.port.js';
import type { SpanHandle, Tracing } from '../ports/tracing.port.js';
import { describeError } from '../shared/describe-error.js';
import { executeSchoolCommand, type LoadedSchool } from '../school/school-stream.js';
import { startActionTimer, type ActionFailure } from './action-timer.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { schoolSpan } from './school-requests.js';
import { reportSettled } from './settled-telemetry.js';
import { runAction, type StepPorts } from './step-runner.js';

export interface ActionAttemptsDeps {
  store: EventStore;
  ports: StepPorts;
  clock: Clock;
  logger: AppLogger;
  policy: RetryPolicy;
  telemetry: Telemetry;
  tracing: Tracing;
}

/** One attempt under way: what its log lines, its span and the event recording it share. */
interface Attempt {
  loaded: LoadedSchool;
  state: SchoolState;
  action: ActionName;
  attempt: number;
  metadata: EventMetadata;
  startedAt: string;
  fields: Record<string, unknown>;
  span: SpanHandle;
  timed: (failure?: ActionFailure) => void;
}

/**
 * Runs one attempt of an action on a school as just loaded, and records its result or its failure (with
 * the time of its retry) on the school's stream, in a span of its own (`step create_dns`, `compensation
 * delete_dns`, `lifecycle suspend_school`) in the trace of the school's request.
 */
export class ActionAttempts {
  constructor(private readonly deps: ActionAttemptsDeps) {}

  /** The school's stream as the recorded result or failure left it. */
  run(
    loaded: LoadedSchool,
    action: ActionName,
    attempt: number,
    metadata: EventMetadata,
  ): Promise<LoadedSchool | undefined> {
    const state = loaded.state!;
    const kind = kindOf(action);
    const attributes = { 'scs.step.name': action, 'scs.step.kind': kind, 'scs.step.attempt': attempt };
    const options = schoolSpan(state, metadata, attributes);
    return this.deps.tracing.inSpan(`${kind} ${action}`, options, (span) =>
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
    const { clock, logger, telemetry, policy } = this.deps;
    const state = loaded.state!;
    const startedAt = clock.now().toISOString();
    const { correlationId } = metadata;
    const fields = { schoolId: state.id, slug: state.details.slug, correlationId, step: action };
    const timed = startActionTimer(telemetry, policy.maxAttempts, action, attempt);
    const run: Attempt = { loaded, state, action, attempt, metadata, startedAt, fields, span, timed };
    logger.log(`school ${state.id} (${state.details.slug}): ${action} attempt ${attempt}`, fields);
    try {
      const event = await runAction(this.deps.ports, state, action, { attempt, startedAt }, metadata, clock);
      timed();
      span.set({ 'scs.step.outcome': 'succeeded' });
      // Inside the try: a result that cannot be recorded is recorded as the attempt's failure instead.
      return await this.recordResult(run, event);
    } catch (error) {
      return this.recordFailure(run, error);
    }
  }

  private async recordResult({ loaded, state, action, metadata }: Attempt, event: SchoolEvent) {
    const now = this.deps.clock.now().toISOString();
    const result = () => ({ type: 'RecordStepResult' as const, data: { action, event, now } });
    const known = { known: loaded, clock: this.deps.clock };
    const recorded = await executeSchoolCommand(this.deps.store, state.id, result, { ...metadata, now }, known);
    reportSettled(this.deps.telemetry, this.deps.clock, state, recorded.state);
    return recorded.loaded;
  }

  private async recordFailure(run: Attempt, error: unknown): Promise<LoadedSchool | undefined> {
    const { loaded, state, action, attempt, metadata, startedAt, fields, span, timed } = run;
    const { store, clock, logger, policy, telemetry } = this.deps;
    const now = clock.now();
    const permanent = isPermanent(error);
    const retryAt = new Date(now.getTime() + retryDelayMs(policy, attempt)).toISOString();
    const message = describeError(error);
    timed({ permanent });
    span.set({ 'scs.step.outcome': permanent ? 'failed_permanently' : 'failed' });
    span.fail(message);
    const failed = `${action} attempt ${attempt} failed${permanent ? ' permanently' : ''}`;
    logger.warn(`school ${state.id} (${state.details.slug}): ${failed}: ${message}`, fields);
    const { maxAttempts } = policy;
    const finishedAt = now.toISOString();
    const data = { action, attempt, error: message, permanent, maxAttempts, retryAt, startedAt, finishedAt };
    const failure = () => ({ type: 'RecordStepFailure' as const, data: { ...data, now: finishedAt } });
    const known = { known: loaded, clock };
    const recorded = await executeSchoolCommand(store, state.id, failure, { ...metadata, now: finishedAt }, known);
    reportSettled(telemetry, clock, state, recorded.state);
    return recorded.loaded;
  }
}
