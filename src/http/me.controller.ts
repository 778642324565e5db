import { Controller, Get, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AnyKey } from './api-key.guard.js';
import { ApiProblems } from './openapi/openapi.js';
import { MeDto } from './openapi/access-schemas.js';
import type { ScsRequest } from './request-context.js';
import { SCOPES } from '../config/scopes.js';

/** The key that asks, and its scopes: what a client (the console) may offer to do with it. */
@ApiTags('operations')
@Controller()
export class MeController {
  @ApiOperation({ summary: "the API key's id and scopes (any valid key)" })
  @ApiResponse({ status: 200, type: MeDto })
  @ApiProblems(401, 429, 503)
  @AnyKey()
  @Get('me')
  me(@Req() req: ScsRequest): MeDto {
    return { id: req.actor!, scopes: SCOPES.filter((scope) => req.scopes?.has(scope)) };
  }
}
