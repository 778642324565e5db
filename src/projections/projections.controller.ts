import { Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { PROJECTIONS } from './registry.js';
import { projectionStatuses } from './status.js';
import { RequireScope } from '../http/api-key.guard.js';
import { ReportsApi } from '../http/api-groups.js';
import { ProjectionsDto } from '../http/openapi/report-schemas.js';
import { REPORTING, type Reporting } from '../http/tokens.js';

/** GET /projections: the projections' own state. */
@ReportsApi()
export class ProjectionsController {
  constructor(@Inject(REPORTING) private readonly reporting: Reporting) {}

  @ApiOperation({ summary: "each projection's position, lag, state and last error" })
  @ApiResponse({ status: 200, type: ProjectionsDto })
  @RequireScope('reports:read')
  @Get('projections')
  async projections() {
    const { store, readSide } = this.reporting;
    return { projections: await projectionStatuses(PROJECTIONS, store, readSide) };
  }
}
