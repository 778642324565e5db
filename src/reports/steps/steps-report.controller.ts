import { Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { stepsReport } from './steps-report.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { ReportsApi } from '../../http/api-groups.js';
import { StepsReportDto } from '../../http/openapi/report-schemas.js';
import { onlyKnown, queryRange } from '../../http/query-params.js';
import { REPORTING, type Reporting } from '../../http/tokens.js';

/** GET /reports/steps: the steps projection's answer. */
@ReportsApi()
export class StepsReportController {
  constructor(@Inject(REPORTING) private readonly reporting: Reporting) {}

  @ApiOperation({ summary: 'per step and compensation: runs, failures, retries, durations, failure reasons' })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiResponse({ status: 200, type: StepsReportDto })
  @ApiProblems(400)
  @RequireScope('reports:read')
  @Get('reports/steps')
  async steps(@Query() query: Record<string, unknown>) {
    onlyKnown(query, ['from', 'to']);
    const range = queryRange(query);
    const lines = await stepsReport(this.reporting.readSide, range);
    return { from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null, lines };
  }
}
