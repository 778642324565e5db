import { Body, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestSchoolCommand } from './request-school.command.js';
import type { SchoolDetails } from '../../domain/school/details.js';
import { CreateSchoolDto, CreateSchoolPipe } from './create-school.dto.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolsApi } from '../../http/api-groups.js';
import { SchoolSummaryDto } from '../../http/openapi/school-view-schemas.js';
import { IdempotencyInterceptor } from '../../http/idempotency/idempotency.interceptor.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { IDEMPOTENCY_KEY, LOCATION } from '../../http/school-params.js';

/** POST /school: a school requested; provisioning starts. */
@SchoolsApi()
export class RequestSchoolController {
  constructor(private readonly commands: CommandBus) {}

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
}
