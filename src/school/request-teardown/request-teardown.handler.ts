import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { noTracing, TRACING, type Tracing } from '../../ports/tracing.port.js';
import { requestMetadata } from '../request-metadata.js';
import { executeSchoolCommand } from '../school-stream.js';
import { RequestTeardownCommand } from './request-teardown.command.js';

@CommandHandler(RequestTeardownCommand)
export class RequestTeardownHandler implements ICommandHandler<RequestTeardownCommand, { id: string; status: string }> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = noTracing,
  ) {}

  async execute(command: RequestTeardownCommand): Promise<{ id: string; status: string }> {
    const { schoolId } = command;
    const now = this.clock.now().toISOString();
    const metadata = requestMetadata(command, now);
    const teardown = () => ({ type: 'RequestTeardown' as const, data: { now } });
    const { state } = await executeSchoolCommand(this.store, schoolId, teardown, metadata, { clock: this.clock });
    if (state) this.tracing.annotate({ 'scs.school.slug': state.details.slug });
    return { id: schoolId, status: state?.status ?? 'deprovisioning' };
  }
}
