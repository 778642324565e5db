import { Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { fleetReport } from './fleet-report.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { ReportsApi } from '../../http/api-groups.js';
import { FleetReportDto } from '../../http/openapi/report-schemas.js';
import { onlyKnown } from '../../http/query-params.js';
import { REPORTING, type Reporting } from '../../http/tokens.js';

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
