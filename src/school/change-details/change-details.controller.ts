import { Body, Headers, HttpException, Inject, Param, Patch, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChangeDetailsCommand } from './change-details.command.js';
import { SchoolQueries } from '../view/school-queries.js';
import { ChangeDetailsDto, checkedChanges } from './change-details.dto.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolLifecycleApi } from '../../http/api-groups.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { SchoolViewDto } from '../../http/openapi/school-view-schemas.js';
import { problem } from '../../http/problem.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { ETAG, etagOf, notFound, SCHOOL_ID, schoolId, sendJson } from '../../http/school-params.js';

/**
 * RFC 9110 §13.1.1: `*` (any current answer), or a list of entity tags compared strongly: a weak tag
 * (`W/"…"`) never matches.
 */
function ifMatchHolds(header: string, etag: string): boolean {
  const tags = header.split(',').map((tag) => tag.trim());
  return tags.includes('*') || tags.includes(etag);
}

const preconditionFailed = (detail: string) =>
  new HttpException(problem(412, 'precondition-failed', 'Precondition failed', detail), 412);

/** PATCH /school/:id: a school's details changed, with `If-Match`. */
@SchoolLifecycleApi()
export class ChangeDetailsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(SchoolQueries) private readonly queries: SchoolQueries,
  ) {}

  @ApiOperation({
    summary:
      "change a school's name, district, board, admin email or phone (a JSON merge patch), if unchanged since GET",
    description:
      'Checked by the rules of POST /school, recorded as `SchoolDetailsChanged {changes, previous}`; the registry ' +
      'row follows. Answers the school as it is now, with its new ETag.',
  })
  @SCHOOL_ID
  @ApiHeader({
    name: 'If-Match',
    required: true,
    description: 'the ETag of GET /school/:id: refused (412) when the school changed since',
  })
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiBody({ type: ChangeDetailsDto })
  @ApiResponse({ status: 200, type: SchoolViewDto, headers: ETAG })
  @ApiProblems(400, 404, 409, 410, 412, 413, 415, 428)
  @RequireScope('schools:write')
  @Patch('school/:id')
  async change(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Req() req: ScsRequest,
    @Res() res: Response,
  ) {
    const sid = schoolId(id);
    if (ifMatch === undefined) {
      const detail = 'send the ETag of GET /school/:id as If-Match, so that a change made since is not overwritten';
      throw new HttpException(problem(428, 'precondition-required', 'Precondition required', detail), 428);
    }
    const changes = checkedChanges(body);
    const current = await this.queries.current(sid);
    if (!current) throw notFound();
    if (!ifMatchHolds(ifMatch, etagOf(current.answer.digest))) {
      throw preconditionFailed('the school changed since that ETag: GET it again, then send the new ETag');
    }
    const actor = req.actor ?? 'anonymous';
    const origin = originOf(req);
    const command = new ChangeDetailsCommand(
      sid,
      changes,
      current.revision,
      actor,
      req.correlationId!,
      req.traceparent,
      origin,
    );
    await this.commands.execute(command);
    const after = (await this.queries.current(sid)) ?? current;
    res.set('ETag', etagOf(after.answer.digest));
    sendJson(res, after.answer.json);
  }
}
