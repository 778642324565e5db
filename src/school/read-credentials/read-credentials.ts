import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { connectionOf } from '../deliver-credentials/connection.js';
import type { SchoolConnection } from '../../ports/credentials-delivery.port.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { SCHOOL_CREDENTIALS, type SchoolCredentialsPort } from '../../ports/school-credentials.port.js';
import { TENANT_SERVERS, type TenantServers } from '../../ports/tenant-servers.port.js';
import { noTracing, TRACING, type Tracing } from '../../ports/tracing.port.js';
import { requestMetadata, SchoolRequestCommand } from '../request-metadata.js';
import { executeSchoolCommand } from '../school-stream.js';

export type { SchoolConnection } from '../../ports/credentials-delivery.port.js';

/** `GET /school/:id/credentials`: the live school's connection details, recorded as read by `actor`. */
export class ReadCredentialsCommand extends SchoolRequestCommand<SchoolConnection> {}

/**
 * Records `SchoolCredentialsRead` first and answers only once it is stored, so no password leaves SCS
 * without the audit trail saying who got it. The password is derived from what the recorded event names
 * (key id and generation), the same derivation that set the role's password.
 */
@CommandHandler(ReadCredentialsCommand)
export class ReadCredentialsHandler implements ICommandHandler<ReadCredentialsCommand, SchoolConnection> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TENANT_SERVERS) private readonly servers: TenantServers,
    @Inject(SCHOOL_CREDENTIALS) private readonly credentials: SchoolCredentialsPort,
    @Optional() @Inject(TRACING) private readonly tracing: Tracing = noTracing,
  ) {}

  async execute(command: ReadCredentialsCommand): Promise<SchoolConnection> {
    const { schoolId, actor } = command;
    const now = this.clock.now().toISOString();
    const read = () => ({ type: 'RecordCredentialsRead' as const, data: { actor, now } });
    const metadata = requestMetadata(command, now);
    const { state } = await executeSchoolCommand(this.store, schoolId, read, metadata, { clock: this.clock });
    const school = state!; // decide refused anything but an active school
    this.tracing.annotate({ 'scs.school.slug': school.details.slug });
    return connectionOf(school, { servers: this.servers, credentials: this.credentials });
  }
}
