import { Body, HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { RestoreSchoolCommand } from './restore-school.command.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { SchoolLifecycleApi } from '../../http/api-groups.js';
import { invalidBody } from '../../http/invalid-body.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RestoreAcceptedDto, RestoreSchoolDto } from '../../http/openapi/lifecycle-schemas.js';
import { IdempotencyInterceptor } from '../../http/idempotency/idempotency.interceptor.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';
import { IDEMPOTENCY_KEY, LOCATION, SCHOOL_ID, schoolId } from '../../http/school-params.js';

/** POST /school/:id/restore's body: none, `{}` or `{notify: boolean}`. */
function notifyOf(body: unknown): boolean {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return false;
  const errors: Array<{ field: string; message: string }> = [];
  if (typeof body !== 'object' || Array.isArray(body)) {
    errors.push({ field: '(body)', message: 'must be a JSON object' });
  } else {
    const { notify, ...others } = body as Record<string, unknown>;
    if (notify !== undefined && typeof notify !== 'boolean')
      errors.push({ field: 'notify', message: 'must be a boolean' });
    for (const field of Object.keys(others))
      errors.push({ field: field.slice(0, 64), message: 'is not a known field' });
  }
  if (errors.length === 0) return (body as { notify?: boolean }).notify ?? false;
  throw invalidBody(errors);
}

/** POST /school/:id/restore: a deleted school restored from its archive. */
@SchoolLifecycleApi()
export class RestoreSchoolController {
  constructor(private readonly commands: CommandBus) {}

  @ApiOperation({
    summary: 'restore a deleted school from its archive: the same id and slug, its data as it was deleted',
    description:
      'Within SCS_ARCHIVE_RETENTION_DAYS of its deletion. Recorded as `SchoolRestoreRequested` (the slug claimed ' +
      'again, `SlugReserved`); the process manager runs the steps again: a new database loaded from the archive ' +
      '(its SHA-256 checked first) and migrated to the current schema, its role with a new password, DNS, a new ' +
      'certificate, the registry row, and with `notify` a welcome-back email. Status `restoring`, then `active` ' +
      '(`SchoolRestored`); a step that fails for good is undone and the school is `deleted` again ' +
      '(`SchoolRestoreFailed`, the reason in `restore`).',
  })
  @SCHOOL_ID
  @IDEMPOTENCY_KEY
  @ApiBody({ type: RestoreSchoolDto, required: false })
  @ApiResponse({ status: 202, type: RestoreAcceptedDto, headers: LOCATION })
  @ApiProblems(400, 404, 409, 410, 413, 415, 422)
  @RequireScope('schools:write')
  @Post('school/:id/restore')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async restore(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: ScsRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const sid = schoolId(id);
    const actor = req.actor ?? 'anonymous';
    const notify = notifyOf(body);
    const command = new RestoreSchoolCommand(sid, notify, actor, req.correlationId!, req.traceparent, originOf(req));
    const accepted = await this.commands.execute(command);
    res.setHeader('Location', `/school/${sid}`);
    return accepted;
  }
}
