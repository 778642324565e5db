import { BadRequestException, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { schoolHistory } from './school-history.js';
import { SchoolQueries } from '../view/school-queries.js';
import { ApiProblem, ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { AsOfDto, HistoryDto } from '../../http/openapi/history-schemas.js';
import { problem } from '../../http/problem.js';
import { queryText } from '../../http/query-params.js';
import { notFound, SCHOOL_ID, schoolId } from '../../http/school-params.js';

/** `asOf` before the school was recorded: it did not exist then (a 404 saying since when it does). */
function notYet(asOf: Date, createdAt: Date): NotFoundException {
  const created = createdAt.toISOString();
  const detail = `the school did not exist at ${asOf.toISOString()}: it was created at ${created}`;
  return new NotFoundException(
    problem(404, 'school-not-yet', 'School did not exist yet', detail, { createdAt: created }),
  );
}

/** GET /school/:id/history: a school's events, or its state as it was at a time. */
@SchoolsApi()
export class SchoolHistoryController {
  constructor(
    @Inject(SchoolQueries) private readonly queries: SchoolQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

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
}
