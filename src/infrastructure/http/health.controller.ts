import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from './api-key.guard.js';
import { READINESS, type Readiness } from './tokens.js';

@Controller()
export class HealthController {
  constructor(@Inject(READINESS) private readonly readiness: Readiness) {}

  /** Liveness: the process answers. */
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
