import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthDto, ReadyDto } from './openapi/health-schemas.js';
import { Public } from './api-key.guard.js';
import { READINESS, type Readiness } from './tokens.js';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(@Inject(READINESS) private readonly readiness: Readiness) {}

  /** Liveness: the process answers. */
  @ApiOperation({ summary: 'liveness: the process answers (no key)' })
  @ApiResponse({ status: 200, type: HealthDto })
  @Public()
  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: the central database and the event store answer. The tenant servers are listed (state,
   * schools, reachable) but do not decide it: new schools go to the servers that answer.
   */
  @ApiOperation({ summary: 'readiness: the central database and the event store answer (no key)' })
  @ApiResponse({ status: 200, type: ReadyDto })
  @ApiResponse({ status: 503, type: ReadyDto, description: 'a check failed: it says which' })
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const [checks, servers] = await Promise.all([
      this.readiness.check(),
      this.readiness.servers?.().catch(() => undefined),
    ]);
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not_ready', checks, ...(servers ? { servers } : {}) };
  }
}
