import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { lifecycleAction } from '../../domain/school/plan.js';
import { updateRegistry } from '../../process-manager/lifecycle/update-registry.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { EVENT_STORE, type EventMetadata, type EventStore } from '../../ports/event-store.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../../ports/school-registry.port.js';
import { noTracing, TRACING, type Tracing } from '../../ports/tracing.port.js';
import { requestMetadata } from '../request-metadata.js';
import { executeSchoolCommand, type LoadedSchool } from '../school-stream.js';
import { ChangeDetailsCommand, type DetailsChangeResult } from './change-details.command.js';

/**
 * `PATCH /school/:id`: `SchoolDetailsChanged` through decide, on the revision the caller saw, then the
 * registry row brought along (`update_registry`) before answering, so that the answer (and its ETag) is the
 * school with its registry caught up: the next change can be made on that ETag. When that write fails (or
 * the process dies first) the process manager does it, since the registry is behind; when both run, both
 * write the same row and the event is recorded once.
 */
@CommandHandler(ChangeDetailsCommand)
export class ChangeDetailsHandler implements ICommandHandler<ChangeDetailsCommand, DetailsChangeResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SCHOOL_REGISTRY) private readonly registry: SchoolRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = noTracing,
  ) {}

  async execute(command: ChangeDetailsCommand): Promise<DetailsChangeResult> {
    const { schoolId, changes, expectedRevision } = command;
    const now = this.clock.now().toISOString();
    const metadata = requestMetadata(command, now);
    const change = () => ({ type: 'ChangeDetails' as const, data: { changes, expectedRevision, now } });
    // A writer that appended after the revision the caller saw makes the append fail; decided again on the
    // new state, the expected revision refuses it: the change is never applied over one it did not see.
    const { events, state, loaded } = await executeSchoolCommand(this.store, schoolId, change, metadata, {
      clock: this.clock,
    });
    if (state) this.tracing.annotate({ 'scs.school.slug': state.details.slug });
    const changed = events.flatMap((e) => (e.type === 'SchoolDetailsChanged' ? Object.keys(e.data.changes) : []));
    const after = loaded && (await this.followRegistry(loaded, metadata));
    return { id: schoolId, changed, revision: after?.state?.revision ?? state?.revision ?? 0 };
  }

  /** The registry row written with the new details and `SchoolRegistryUpdated` recorded (failing: the manager's). */
  private async followRegistry(loaded: LoadedSchool, metadata: EventMetadata): Promise<LoadedSchool | undefined> {
    const state = loaded.state!;
    if (lifecycleAction(state) !== 'update_registry') return undefined;
    const startedAt = this.clock.now().toISOString();
    try {
      const context = { ports: { registry: this.registry }, state, metadata };
      const run = () => ({ attempt: 1, startedAt, finishedAt: this.clock.now().toISOString() });
      const event = await updateRegistry.run({ ...context, run });
      const now = this.clock.now().toISOString();
      const record = () => ({
        type: 'RecordStepResult' as const,
        data: { action: 'update_registry' as const, event, now },
      });
      const options = { known: loaded, clock: this.clock };
      return (await executeSchoolCommand(this.store, state.id, record, { ...metadata, now }, options)).loaded;
    } catch {
      return undefined;
    }
  }
}
