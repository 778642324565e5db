import { Body, HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ResumeSchoolCommand, SuspendSchoolCommand } from './suspension.commands.js';
import { reasonProblem } from '../../domain/school/suspension.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolLifecycleApi } from '../../http/api-groups.js';
import { invalidBody } from '../../http/invalid-body.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { SuspendSchoolDto, SuspensionAcceptedDto } from '../../http/openapi/lifecycle-schemas.js';
import { IdempotencyInterceptor } from '../../http/idempotency/idempotency.interceptor.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { IDEMPOTENCY_KEY, LOCATION, SCHOOL_ID, schoolId } from '../../http/school-params.js';

/** POST /school/:id/suspend's body: `{reason}` and nothing else; every field at fault named. */
function reasonOf(body: unknown): string {
  const errors: Array<{ field: string; message: string }> = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    errors.push({ field: '(body)', message: 'must be a JSON object with a reason' });
  } else {
    const { reason, ...others } = body as Record<string, unknown>;
    const fault = reason === undefined ? 'is required' : reasonProblem(reason);
    if (fault) errors.push({ field: 'reason', message: fault });
    for (const field of Object.keys(others))
      errors.push({ field: field.slice(0, 64), message: 'is not a known field' });
  }
  if (errors.length === 0) return (body as { reason: string }).reason;
  throw invalidBody(errors);
}

/** POST /school/:id/suspend and /resume: a school suspended (its role cannot log in), and resumed. */
@SchoolLifecycleApi()
export class SuspensionController {
  constructor(private readonly commands: CommandBus) {}

  @ApiOperation({
    summary: 'suspend a school: its role cannot log in (its sessions end), its name points at the maintenance target',
    description:
      'Recorded as `SchoolSuspensionRequested`; the process manager suspends it (`suspend_school`, then ' +
      '`SchoolSuspended`): status `suspending`, then `suspended`. Nothing is lost; resume undoes it.',
  })
  @SCHOOL_ID
  @IDEMPOTENCY_KEY
  @ApiBody({ type: SuspendSchoolDto })
  @ApiResponse({ status: 202, type: SuspensionAcceptedDto, headers: LOCATION })
  @ApiProblems(400, 404, 409, 410, 413, 415, 422)
  @RequireScope('operate')
  @Post('school/:id/suspend')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async suspend(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: ScsRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const sid = schoolId(id);
    const actor = req.actor ?? 'anonymous';
    const command = new SuspendSchoolCommand(
      sid,
      reasonOf(body),
      actor,
      req.correlationId!,
      req.traceparent,
      originOf(req),
    );
    const accepted = await this.commands.execute(command);
    res.setHeader('Location', `/school/${sid}`);
    return accepted;
  }

  @ApiOperation({
    summary: 'resume a suspended school (or stop its suspension): its role logs in again, its name points back',
    description:
      'Recorded as `SchoolResumeRequested`; the process manager resumes it (`resume_school`, then `SchoolResumed`): ' +
      'status `resuming`, then `active`.',
  })
  @SCHOOL_ID
  @IDEMPOTENCY_KEY
  @ApiResponse({ status: 202, type: SuspensionAcceptedDto, headers: LOCATION })
  @ApiProblems(400, 404, 409, 410, 422)
  @RequireScope('operate')
  @Post('school/:id/resume')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async resume(@Param('id') id: string, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    const sid = schoolId(id);
    const actor = req.actor ?? 'anonymous';
    const command = new ResumeSchoolCommand(sid, actor, req.correlationId!, req.traceparent, originOf(req));
    const accepted = await this.commands.execute(command);
    res.setHeader('Location', `/school/${sid}`);
    return accepted;
  }
}
