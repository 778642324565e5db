import { Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { CLOCK, type Clock } from '../../application/ports/clock.port.js';
import { fleetReport } from '../../projections/fleet/fleet-report.js';
import { ApiProblems } from './openapi/openapi.js';
import { RequireScope } from './api-key.guard.js';
import { ReportsApi } from './api-groups.js';
import { FleetReportDto } from './openapi/report-schemas.js';
import { onlyKnown } from './query-params.js';
import { REPORTING, type Reporting } from './tokens.js';

/** GET /reports/fleet: the fleet projection's answer, as of now. */
@ReportsApi()
export class FleetReportController {
  constructor(
    @Inject(REPORTING) private readonly reporting: Reporting,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiOperation({ summary: 'the fleet now: statuses, schema versions, certificate expiry, stuck schools' })
  @ApiResponse({ status: 200, type: FleetReportDto })
  @ApiProblems(400)
  @RequireScope('reports:read')
  @Get('reports/fleet')
  async fleet(@Query() query: Record<string, unknown>) {
    onlyKnown(query, []);
    return fleetReport(this.reporting.readSide, this.clock.now(), this.reporting.stuckAfterSeconds);
  }
}
