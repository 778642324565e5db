import { Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { SchoolQueries } from './school-queries.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { SchoolListDto } from '../../http/openapi/school-view-schemas.js';
import { schoolListFilters } from './list-schools.dto.js';
import { sendJson } from '../../http/school-params.js';

/** GET /schools: the schools, filtered and paged. */
@SchoolsApi()
export class ListSchoolsController {
  constructor(@Inject(SchoolQueries) private readonly queries: SchoolQueries) {}

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
