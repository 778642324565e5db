import { Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadCredentialsCommand } from './read-credentials.js';
import { isSchoolId } from '../../domain/school/events.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { CredentialsApi } from '../../http/api-groups.js';
import { ApiProblem, ApiProblems } from '../../http/openapi/openapi.js';
import { SchoolConnectionDto } from '../../http/openapi/access-schemas.js';
import { problem } from '../../http/problem.js';
import { originOf, type ScsRequest } from '../../http/request-context.js';

/**
 * The `api` delivery of a school's database credentials: a school app asks with a key that has
 * `credentials:read` and never needs SCS's credentials keys. Every read is an event in the school's stream.
 */
@CredentialsApi()
export class ReadCredentialsController {
  constructor(private readonly commands: CommandBus) {}

  @ApiOperation({
    summary: "a live school's database connection: server, host, port, database, role, password (each read recorded)",
  })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiResponse({ status: 200, type: SchoolConnectionDto })
  @ApiProblems(404, 410)
  @ApiProblem(409, 'the school is not active (`school-not-active`): its role does not exist yet, or is being undone')
  @RequireScope('credentials:read')
  @Get('school/:id/credentials')
  async read(@Param('id') id: string, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    // Ids are generated UUIDs; anything else cannot name a school (and never reaches the store).
    if (!isSchoolId(id))
      throw new NotFoundException(problem(404, 'school-not-found', 'School not found', 'no school has this id'));
    const actor = req.actor ?? 'anonymous';
    const command = new ReadCredentialsCommand(id, actor, req.correlationId!, req.traceparent, originOf(req));
    const connection = await this.commands.execute(command);
    res.setHeader('Cache-Control', 'no-store'); // a password: no cache on the way may keep it
    return connection;
  }
}
