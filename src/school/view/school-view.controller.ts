import { Get, Inject, Param, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { SchoolQueries } from './school-queries.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { SchoolViewDto } from '../../http/openapi/school-view-schemas.js';
import { ETAG, etagOf, notFound, SCHOOL_ID, schoolId, sendJson } from '../../http/school-params.js';

/** GET /school/:id: a school as the read model shows it. */
@SchoolsApi()
export class SchoolViewController {
  constructor(@Inject(SchoolQueries) private readonly queries: SchoolQueries) {}

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
}
