import { HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RetrySchoolCommand } from './retry-school.command.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { RetriedSchoolDto } from '../../http/openapi/school-view-schemas.js';
import { IdempotencyInterceptor } from '../../http/idempotency/idempotency.interceptor.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { IDEMPOTENCY_KEY, LOCATION, SCHOOL_ID, schoolId } from '../../http/school-params.js';

/** POST /school/:id/retry: a failed school requested again, as a new school. */
@SchoolsApi()
export class RetrySchoolController {
  constructor(private readonly commands: CommandBus) {}

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
}
