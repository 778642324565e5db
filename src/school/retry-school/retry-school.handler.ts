import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '../../domain/school/errors.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { RequestSchoolCommand } from '../request-school/request-school.command.js';
import { RequestSchoolHandler } from '../request-school/request-school.handler.js';
import { loadSchool } from '../school-stream.js';
import { RetrySchoolCommand, SchoolNotFailedError, type RetriedSchool } from './retry-school.command.js';

/**
 * Retries a failed school: its rollback released the slug, so its details are requested again as a new
 * school, through the same handler as POST /school. The failed school's stream is read (not the read
 * model, which may lag), and the new school's request events carry `retryOf` in their metadata, so its
 * history and the audit log show which school it retries.
 */
@CommandHandler(RetrySchoolCommand)
export class RetrySchoolHandler implements ICommandHandler<RetrySchoolCommand, RetriedSchool> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(RequestSchoolHandler) private readonly requestSchool: RequestSchoolHandler,
  ) {}

  async execute(command: RetrySchoolCommand): Promise<RetriedSchool> {
    const { schoolId, actor, correlationId, traceparent, origin } = command;
    const { state } = await loadSchool(this.store, schoolId);
    if (!state) throw new DomainError('school_not_found', `no school has the id ${schoolId}`);
    if (state.status !== 'failed') throw new SchoolNotFailedError(schoolId, state.status);
    const request = new RequestSchoolCommand(state.details, actor, correlationId, traceparent, origin, schoolId);
    const school = await this.requestSchool.execute(request);
    return { ...school, retryOf: schoolId };
  }
}
