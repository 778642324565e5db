import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ChangeDetailsCommand } from '../../application/change-details/change-details.command.js';
import { RestoreSchoolCommand } from '../../application/restore-school/restore-school.command.js';
import { ResumeSchoolCommand, SuspendSchoolCommand } from '../../application/suspension/suspension.commands.js';
import { reasonProblem } from '../../domain/school/suspension.js';
import { SchoolQueries } from '../../projections/school-read-model/school-queries.js';
import { ChangeDetailsDto, checkedChanges } from './change-details.dto.js';
import { RequireScope } from './api-key.guard.js';
import { ApiProblems } from './openapi/openapi.js';
import {
  RestoreAcceptedDto,
  RestoreSchoolDto,
  SuspendSchoolDto,
  SuspensionAcceptedDto,
} from './openapi/lifecycle-schemas.js';
import { SchoolViewDto } from './openapi/school-view-schemas.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { problem } from './problem.js';
import { originOf, type ScsRequest } from './request-context.js';
import { ETAG, etagOf, IDEMPOTENCY_KEY, LOCATION, notFound, SCHOOL_ID, schoolId, sendJson } from './school-params.js';

/**
 * RFC 9110 §13.1.1: `*` (any current answer), or a list of entity tags compared strongly: a weak tag
 * (`W/"…"`) never matches.
 */
function ifMatchHolds(header: string, etag: string): boolean {
  const tags = header.split(',').map((tag) => tag.trim());
  return tags.includes('*') || tags.includes(etag);
}

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
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  throw new BadRequestException(problem(400, 'validation', 'Invalid request', detail, { errors: errors.slice(0, 20) }));
}

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
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  throw new BadRequestException(problem(400, 'validation', 'Invalid request', detail, { errors: errors.slice(0, 20) }));
}

const preconditionFailed = (detail: string) =>
  new HttpException(problem(412, 'precondition-failed', 'Precondition failed', detail), 412);

/** A school's life after its creation: its details changed (PATCH), suspended and resumed, restored once deleted. */
@ApiTags('schools')
@ApiProblems(401, 403, 429, 503)
@Controller()
export class SchoolLifecycleController {
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
