import { BadRequestException, Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { decodeCursor } from '../audit/audit-log.js';
import { INTEGRATION_EVENT_TYPES, isIntegrationEventType, type IntegrationEventType } from './integration-events.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import { isSchoolId } from '../domain/school/events.js';
import { EventStreams } from './event-streams.js';
import { ApiProblems } from '../http/openapi/openapi.js';
import { RequireScope } from '../http/api-key.guard.js';
import { problem } from '../http/problem.js';
import { onlyKnown, queryText } from '../http/query-params.js';

function invalid(field: string, message: string): BadRequestException {
  return new BadRequestException(
    problem(400, 'validation', 'Invalid event stream request', `${field} ${message}`, { errors: [{ field, message }] }),
  );
}

function typesOf(raw: string | undefined): IntegrationEventType[] | undefined {
  if (raw === undefined) return undefined;
  const types = raw
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = types.filter((t) => !isIntegrationEventType(t));
  if (types.length === 0 || unknown.length > 0)
    throw invalid('types', `must list integration event types; unknown: ${unknown.slice(0, 5).join(', ') || '(none)'}`);
  return types as IntegrationEventType[];
}

function cursorOf(raw: string | undefined, field: string): GlobalPosition | undefined {
  if (raw === undefined || raw === '') return undefined;
  const position = raw.length <= 60 ? decodeCursor(raw) : undefined;
  if (!position) throw invalid(field, 'must be an event id this stream gave');
  return position;
}

const STREAM_DESCRIPTION = `Server-Sent Events: one frame per integration event, \`id:\` its cursor (resume after it with
the Last-Event-ID header or ?after=), \`event:\` its type, \`data:\` the CloudEvent (as under webhooks) on one line.
Comment lines (\`: heartbeat\`) every SCS_EVENT_STREAM_HEARTBEAT_MS. A client whose socket stays full for
SCS_EVENT_STREAM_STALL_MS gets a last \`event: stream.dropped\` (data: reason, lastEventId, resume) and is closed.`;

/** The live stream of integration events (the same CloudEvents the webhooks deliver). */
@ApiTags('events')
@ApiProblems(401, 403, 429, 503)
@Controller('events')
export class EventsController {
  constructor(@Inject(EventStreams) private readonly streams: EventStreams) {}

  @ApiOperation({
    summary: 'integration events as Server-Sent Events, live, resumable',
    description: STREAM_DESCRIPTION,
  })
  @ApiQuery({
    name: 'types',
    required: false,
    schema: { type: 'string' },
    description: `comma-separated; absent: every type (${INTEGRATION_EVENT_TYPES.join(', ')})`,
  })
  @ApiQuery({ name: 'school', required: false, schema: { type: 'string', format: 'uuid' }, description: 'one school' })
  @ApiQuery({
    name: 'after',
    required: false,
    schema: { type: 'string' },
    description: 'an event id this stream gave: start after it (the Last-Event-ID header wins); absent: from now',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'the last event id received: resume after it' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'the stream (never ends on its own)',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems(400)
  @RequireScope('events:read')
  @Get('stream')
  async stream(
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    onlyKnown(query, ['types', 'school', 'after']);
    const types = typesOf(queryText(query.types, 'types', 1000));
    const school = queryText(query.school, 'school', 36);
    if (school !== undefined && !isSchoolId(school)) throw invalid('school', 'must be a school id');
    const after = cursorOf(lastEventId, 'Last-Event-ID') ?? cursorOf(queryText(query.after, 'after', 60), 'after');
    await this.streams.open(res, { types, schoolId: school }, after);
  }
}
