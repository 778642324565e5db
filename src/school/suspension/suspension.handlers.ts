import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { SchoolCommand } from '../../domain/school/commands.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { noTracing, TRACING, type Tracing } from '../../ports/tracing.port.js';
import { requestMetadata } from '../request-metadata.js';
import { executeSchoolCommand } from '../school-stream.js';
import { ResumeSchoolCommand, SuspendSchoolCommand, type SuspensionAccepted } from './suspension.commands.js';

/**
 * Both record what is asked (`SchoolSuspensionRequested`, `SchoolResumeRequested`) and answer at once; the
 * process manager does the work as lifecycle actions, retried until done and resumed after a crash, so a
 * half-done suspension is never left without an event saying what is under way.
 */
async function request(
  { store, clock, tracing }: { store: EventStore; clock: Clock; tracing: Tracing },
  command: SuspendSchoolCommand | ResumeSchoolCommand,
  decided: (now: string) => SchoolCommand,
): Promise<SuspensionAccepted> {
  const now = clock.now().toISOString();
  const { state } = await executeSchoolCommand(
    store,
    command.schoolId,
    () => decided(now),
    requestMetadata(command, now),
    { clock },
  );
  tracing.annotate({ 'scs.school.slug': state!.details.slug });
  return { id: command.schoolId, status: state!.status };
}

@CommandHandler(SuspendSchoolCommand)
export class SuspendSchoolHandler implements ICommandHandler<SuspendSchoolCommand, SuspensionAccepted> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = noTracing,
  ) {}

  execute(command: SuspendSchoolCommand): Promise<SuspensionAccepted> {
    const reason = command.reason;
    return request({ store: this.store, clock: this.clock, tracing: this.tracing }, command, (now) => ({
      type: 'RequestSuspension',
      data: { reason, now },
    }));
  }
}

@CommandHandler(ResumeSchoolCommand)
export class ResumeSchoolHandler implements ICommandHandler<ResumeSchoolCommand, SuspensionAccepted> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = noTracing,
  ) {}

  execute(command: ResumeSchoolCommand): Promise<SuspensionAccepted> {
    return request({ store: this.store, clock: this.clock, tracing: this.tracing }, command, (now) => ({
      type: 'RequestResume',
      data: { now },
    }));
  }
}
