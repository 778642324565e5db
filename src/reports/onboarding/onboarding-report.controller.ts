import { BadRequestException, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { GROUPS, onboardingReport, PERIODS, type Group } from './onboarding-report.js';
import { ApiProblems } from '../../http/openapi/openapi.js';
import { RequireScope } from '../../http/api-key.guard.js';
import { ReportsApi } from '../../http/api-groups.js';
import { OnboardingReportDto } from '../../http/openapi/report-schemas.js';
import { problem } from '../../http/problem.js';
import { onlyKnown, queryChoice, queryRange, queryText } from '../../http/query-params.js';
import { REPORTING, type Reporting } from '../../http/tokens.js';

/** GET /reports/onboarding: the onboarding projection's answer. */
@ReportsApi()
export class OnboardingReportController {
  constructor(@Inject(REPORTING) private readonly reporting: Reporting) {}

  @ApiOperation({ summary: 'onboarding per period (UTC), district and board' })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'period', required: false, enum: ['day', 'week', 'month'] })
  @ApiQuery({ name: 'groupBy', required: false, schema: { type: 'string', example: 'district,board' } })
  @ApiResponse({ status: 200, type: OnboardingReportDto })
  @ApiProblems(400)
  @RequireScope('reports:read')
  @Get('reports/onboarding')
  async onboarding(@Query() query: Record<string, unknown>) {
    onlyKnown(query, ['from', 'to', 'period', 'groupBy']);
    const groupBy = (queryText(query.groupBy, 'groupBy', 40) ?? 'district,board').split(',').filter(Boolean);
    if (groupBy.some((g) => !(GROUPS as readonly string[]).includes(g))) {
      throw new BadRequestException(
        problem(400, 'validation', 'Invalid query', `groupBy is a comma-separated list of ${GROUPS.join(', ')}`, {
          errors: [{ field: 'groupBy', message: 'is not a list of district, board' }],
        }),
      );
    }
    const period = queryChoice(query.period, 'period', PERIODS, 'day');
    const range = queryRange(query);
    const lines = await onboardingReport(this.reporting.readSide, { ...range, period, groupBy: groupBy as Group[] });
    return { period, groupBy, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null, lines };
  }
}
