import { Delete, HttpCode, Param, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestTeardownCommand } from './request-teardown.command.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { TeardownAcceptedDto } from '../../http/openapi/school-view-schemas.js';
import { IdempotencyInterceptor } from '../../http/idempotency/idempotency.interceptor.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { IDEMPOTENCY_KEY, LOCATION, SCHOOL_ID, schoolId } from '../../http/school-params.js';

/** DELETE /school/:id: a school torn down, or rolled back while still provisioning. */
@SchoolsApi()
export class RequestTeardownController {
  constructor(private readonly commands: CommandBus) {}

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
}
