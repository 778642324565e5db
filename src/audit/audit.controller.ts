import { BadRequestException, Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { auditEvents, auditPage, decodeCursor, toAuditEvent, type AuditFilter } from './audit-log.js';
import { ApiProblems } from '../http/openapi/openapi.js';
import { RequireScope } from '../http/api-key.guard.js';
import { AuditEventDto, AuditPageDto } from '../http/openapi/report-schemas.js';
import { problem } from '../http/problem.js';
import { isSchoolId } from '../domain/school/events.js';
import { onlyKnown, queryInt, queryRange, queryText } from '../http/query-params.js';
import type { ScsRequest } from '../http/request-context.js';
import { REPORTING, type Reporting } from '../http/tokens.js';

function invalid(field: string, detail: string): BadRequestException {
  return new BadRequestException(
    problem(400, 'validation', 'Invalid query', detail, { errors: [{ field, message: 'is invalid' }] }),
  );
}

/**
 * The whole log for auditors, in store order: pages with a stable cursor (`after`), or every matching
 * event as NDJSON (`Accept: application/x-ndjson`), streamed page by page.
 */
@ApiTags('audit')
@ApiProblems(401, 403, 429, 503)
@Controller('audit')
export class AuditController {
  constructor(@Inject(REPORTING) private readonly reporting: Reporting) {}

  @ApiOperation({ summary: 'the log in store order: a page with a cursor, or NDJSON (Accept: application/x-ndjson)' })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'actor', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'type', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'schoolId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'after', required: false, schema: { type: 'string' }, description: 'the cursor of the last page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiResponse({
    status: 200,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AuditPageDto) } },
      'application/x-ndjson': { schema: { $ref: getSchemaPath(AuditEventDto) } }, // one event a line
    },
  })
  @ApiProblems(400)
  @RequireScope('audit:read')
  @Get('events')
  async events(@Query() query: Record<string, unknown>, @Req() req: ScsRequest, @Res() res: Response): Promise<void> {
    onlyKnown(query, ['from', 'to', 'actor', 'type', 'schoolId', 'after', 'limit']);
    const schoolId = queryText(query.schoolId, 'schoolId', 36);
    if (schoolId !== undefined && !isSchoolId(schoolId)) throw invalid('schoolId', 'schoolId must be a school id');
    const filter: AuditFilter = {
      ...queryRange(query),
      actor: queryText(query.actor, 'actor'),
      type: queryText(query.type, 'type'),
      schoolId,
    };
    const cursor = queryText(query.after, 'after', 60);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw invalid('after', 'after must be a cursor this API gave');
    const limit = queryInt(query.limit, 'limit', 100, 1, 1000);
    if (req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson') {
      res.status(200).type('application/x-ndjson');
      for await (const event of auditEvents(this.reporting.store, filter, after)) {
        if (!res.write(`${JSON.stringify(toAuditEvent(event))}\n`)) await new Promise((r) => res.once('drain', r));
        if (res.destroyed) return;
      }
      res.end();
      return;
    }
    res.status(200).json(await auditPage(this.reporting.store, filter, after, limit));
  }
}
