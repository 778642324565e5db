import { Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { PROJECTIONS } from '../../projections/registry.js';
import { projectionStatuses } from '../../projections/status.js';
import { RequireScope } from './api-key.guard.js';
import { ReportsApi } from './api-groups.js';
import { ProjectionsDto } from './openapi/report-schemas.js';
import { REPORTING, type Reporting } from './tokens.js';

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
