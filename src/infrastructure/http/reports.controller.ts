import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from '../../application/ports/clock.port.js';
import { fleetReport } from '../../projections/fleet/fleet-report.js';
import { GROUPS, onboardingReport, PERIODS, type Group } from '../../projections/onboarding/onboarding-report.js';
import { PROJECTIONS } from '../../projections/registry.js';
import { projectionStatuses } from '../../projections/status.js';
import { stepsReport } from '../../projections/steps/steps-report.js';
import { ApiProblems } from './openapi/openapi.js';
import { RequireScope } from './api-key.guard.js';
import { FleetReportDto, OnboardingReportDto, ProjectionsDto, StepsReportDto } from './openapi/report-schemas.js';
import { problem } from './problem.js';
import { onlyKnown, queryChoice, queryRange, queryText } from './query-params.js';
import { REPORTING, type Reporting } from './tokens.js';

/** The reporting projections' answers, and the projections' own state. */
@ApiTags('reports')
@ApiProblems(401, 403, 429, 503)
@Controller()
export class ReportsController {
  constructor(
    @Inject(REPORTING) private readonly reporting: Reporting,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiOperation({ summary: "each projection's position, lag, state and last error" })
  @ApiResponse({ status: 200, type: ProjectionsDto })
  @RequireScope('reports:read')
  @Get('projections')
  async projections() {
    const { store, readSide } = this.reporting;
    return { projections: await projectionStatuses(PROJECTIONS, store, readSide) };
  }

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
