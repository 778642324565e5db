import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  BadRequestException,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '../../application/ports/event-store.port.js';
import { RequestSchoolCommand } from '../../application/request-school/request-school.command.js';
import { RetrySchoolCommand } from '../../application/retry-school/retry-school.command.js';
import { RequestTeardownCommand } from '../../application/request-teardown/request-teardown.command.js';
import { schoolHistory } from '../../application/school/school-history.js';
import type { SchoolDetails } from '../../domain/school/details.js';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { SchoolQueries } from '../../projections/school-read-model/school-queries.js';
import { CreateSchoolDto, CreateSchoolPipe } from './create-school.dto.js';
import { ApiProblem, ApiProblems } from './openapi/openapi.js';
import { RequireScope } from './api-key.guard.js';
import { AsOfDto, HistoryDto } from './openapi/history-schemas.js';
import {
  RetriedSchoolDto,
  SchoolListDto,
  SchoolSummaryDto,
  SchoolViewDto,
  TeardownAcceptedDto,
} from './openapi/school-view-schemas.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { problem } from './problem.js';
import { queryText } from './query-params.js';
import { schoolListFilters } from './school-list-query.js';
import { originOf, type ScsRequest } from './request-context.js';
import { ETAG, etagOf, IDEMPOTENCY_KEY, LOCATION, notFound, SCHOOL_ID, schoolId, sendJson } from './school-params.js';

/** `asOf` before the school was recorded: it did not exist then (a 404 saying since when it does). */
function notYet(asOf: Date, createdAt: Date): NotFoundException {
  const created = createdAt.toISOString();
  const detail = `the school did not exist at ${asOf.toISOString()}: it was created at ${created}`;
  return new NotFoundException(
    problem(404, 'school-not-yet', 'School did not exist yet', detail, { createdAt: created }),
  );
}

@ApiTags('schools')
@ApiProblems(401, 403, 429, 503)
@Controller()
export class SchoolsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(SchoolQueries) private readonly queries: SchoolQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @ApiOperation({ summary: 'request a school: provisioning starts, poll its Location' })
  @ApiBody({ type: CreateSchoolDto })
  @IDEMPOTENCY_KEY
  @ApiResponse({ status: 202, type: SchoolSummaryDto, headers: LOCATION })
  @ApiProblems(400, 409, 413, 415, 422)
  @RequireScope('schools:write')
  @Post('school')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async create(
    @Body(CreateSchoolPipe) details: SchoolDetails,
    @Req() req: ScsRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const command = new RequestSchoolCommand(
      details,
      req.actor ?? 'anonymous',
      req.correlationId!,
      req.traceparent,
      originOf(req),
    );
    const school = await this.commands.execute(command);
    res.setHeader('Location', `/school/${school.id}`);
    return school;
  }

  @ApiOperation({
    summary: 'request a failed school again with the same details: a new school (new id), linked by retryOf',
  })
  @SCHOOL_ID
  @IDEMPOTENCY_KEY
  @ApiResponse({ status: 202, type: RetriedSchoolDto, headers: LOCATION })
  @ApiProblems(400, 404, 409, 422)
  @RequireScope('schools:write')
  @Post('school/:id/retry')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async retry(@Param('id') id: string, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    const actor = req.actor ?? 'anonymous';
    const command = new RetrySchoolCommand(schoolId(id), actor, req.correlationId!, req.traceparent, originOf(req));
    const school = await this.commands.execute(command);
    res.setHeader('Location', `/school/${school.id}`);
    return school;
  }

  @ApiOperation({ summary: 'a school as the read model shows it (never 404 right after its 202)' })
  @SCHOOL_ID
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'the ETag of an earlier answer: 304 while unchanged',
  })
  @ApiResponse({ status: 200, type: SchoolViewDto, headers: ETAG })
  @ApiResponse({ status: 304, description: 'not modified since the answer whose ETag was sent as If-None-Match' })
  @ApiProblems(404)
  @RequireScope('schools:read')
  @Get('school/:id')
  async get(@Param('id') id: string, @Res() res: Response) {
    const school = await this.queries.getAnswer(schoolId(id));
    if (!school) throw notFound();
    // The kept answer's digest, made once per school and revision; Express would hash the text per request
    // (and does, for an answer folded from the stream). A matching If-None-Match still gets its 304.
    res.set('ETag', etagOf(school.digest));
    sendJson(res, school.json);
  }

  @ApiOperation({ summary: 'tear a school down (or roll back one still provisioning)' })
  @SCHOOL_ID
  @IDEMPOTENCY_KEY
  @ApiResponse({ status: 202, type: TeardownAcceptedDto, headers: LOCATION })
  @ApiProblems(400, 404, 409, 410, 422)
  @RequireScope('schools:delete')
  @Delete('school/:id')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async remove(@Param('id') id: string, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    const actor = req.actor ?? 'anonymous';
    const command = new RequestTeardownCommand(schoolId(id), actor, req.correlationId!, req.traceparent, originOf(req));
    const result = await this.commands.execute(command);
    res.setHeader('Location', `/school/${id}`);
    return result;
  }

  @ApiOperation({ summary: "a school's events in order; with asOf, its state as it was then" })
  @SCHOOL_ID
  @ApiQuery({ name: 'asOf', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiExtraModels(HistoryDto, AsOfDto)
  @ApiResponse({ status: 200, schema: { oneOf: [HistoryDto, AsOfDto].map((dto) => ({ $ref: getSchemaPath(dto) })) } })
  @ApiProblems(400)
  @ApiProblem(
    404,
    'no school has this id (`school-not-found`), or asOf is before the school was created (`school-not-yet`, ' +
      'with `createdAt`, the earliest asOf that shows it)',
  )
  @RequireScope('schools:read')
  @Get('school/:id/history')
  async history(@Param('id') id: string, @Query('asOf') asOfRaw: unknown) {
    const sid = schoolId(id);
    const asOfText = queryText(asOfRaw, 'asOf', 40);
    if (asOfText === undefined) {
      const events = await schoolHistory(this.store, sid);
      if (events.length === 0) throw notFound();
      return { id: sid, events };
    }
    const asOf = new Date(asOfText);
    if (!/^\d{4}-\d{2}-\d{2}/.test(asOfText) || Number.isNaN(asOf.getTime())) {
      throw new BadRequestException(
        problem(400, 'validation', 'Invalid query', 'asOf must be an ISO 8601 time such as 2026-11-24T10:00:00Z', {
          errors: [{ field: 'asOf', message: 'must be an ISO 8601 time' }],
        }),
      );
    }
    const { createdAt, eventCount, view } = await this.queries.asOf(sid, asOf);
    if (!createdAt) throw notFound();
    if (!view) throw notYet(asOf, createdAt);
    return { id: sid, asOf: asOf.toISOString(), eventCount, state: view };
  }

  @ApiOperation({ summary: 'schools, oldest first, with filters and paging' })
  @ApiQuery({ name: 'status', required: false, enum: SCHOOL_STATUSES })
  @ApiQuery({ name: 'district', required: false, schema: { type: 'string', maxLength: 100 } })
  @ApiQuery({ name: 'board', required: false, schema: { type: 'string', maxLength: 100 } })
  @ApiQuery({ name: 'schemaVersion', required: false, schema: { type: 'string', pattern: '^[0-9]{4}$' } })
  @ApiQuery({
    name: 'slug',
    required: false,
    description: 'exactly this slug (letters in any case); a slug freed by a deleted school may name several',
    schema: { type: 'string', pattern: '^[A-Za-z0-9-]{1,63}$' },
  })
  @ApiQuery({
    name: 'q',
    required: false,
    description: 'schools whose name (in any case) or slug begins with this',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({
    name: 'after',
    required: false,
    description:
      "the `next` of the page before: this page starts after that page's last school (keyset paging; a deep " +
      'page costs what the first does, and schools added meanwhile neither repeat nor shift the pages)',
    schema: { type: 'string', maxLength: 200 },
  })
  @ApiResponse({ status: 200, type: SchoolListDto })
  @ApiProblems(400)
  @RequireScope('schools:read')
  @Get('schools')
  async list(@Query() query: Record<string, unknown>, @Res() res: Response) {
    sendJson(res, await this.queries.listJson(schoolListFilters(query)));
  }
}
