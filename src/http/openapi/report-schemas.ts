import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEvent } from '../../audit/audit-log.js';
import type { FleetReport } from '../../reports/fleet/fleet-report.js';
import type { OnboardingLine } from '../../reports/onboarding/onboarding-report.js';
import type { ProjectionStatus } from '../../projections/status.js';
import type { StepsLine } from '../../reports/steps/steps-report.js';

// The classes the OpenAPI generator sees for the reporting, projection and audit answers; each implements
// the type the code returns, so a field added there without its schema does not compile.

const TIME = { type: 'string', format: 'date-time' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;
const NULLABLE_TIME = { ...TIME, nullable: true } as const;

export class ProjectionStatusDto implements ProjectionStatus {
  @ApiProperty({ example: 'school-read-model' }) name!: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'the last event applied, as commit/prepare' })
  position!: string | null;
  @ApiProperty({ ...COUNT, description: "events of its streams behind the store's head" }) lag!: number;
  @ApiProperty({ description: 'the lag was counted up to its cap and is larger' }) lagCapped!: boolean;
  @ApiProperty({ enum: ['live', 'rebuilding'] }) state!: 'live' | 'rebuilding';
  @ApiProperty({ type: 'string', nullable: true }) lastError!: string | null;
  @ApiProperty(NULLABLE_TIME) updatedAt!: string | null;
}

export class ProjectionsDto {
  @ApiProperty({ type: [ProjectionStatusDto] }) projections!: ProjectionStatusDto[];
}

export class OnboardingLineDto implements OnboardingLine {
  @ApiProperty({ example: '2026-11-23', description: 'the period (UTC): a day, the Monday of a week, or a month' })
  period!: string;
  @ApiPropertyOptional() district?: string;
  @ApiPropertyOptional() board?: string;
  @ApiProperty(COUNT) requested!: number;
  @ApiProperty(COUNT) activated!: number;
  @ApiProperty(COUNT) failed!: number;
  @ApiProperty(COUNT) deleted!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'median seconds from the POST to active' })
  medianSecondsToActive!: number | null;
}

export class OnboardingReportDto {
  @ApiProperty({ enum: ['day', 'week', 'month'] }) period!: string;
  @ApiProperty({ type: [String], example: ['district', 'board'] }) groupBy!: string[];
  @ApiProperty(NULLABLE_TIME) from!: string | null;
  @ApiProperty(NULLABLE_TIME) to!: string | null;
  @ApiProperty({ type: [OnboardingLineDto] }) lines!: OnboardingLineDto[];
}

export class FailureReasonDto {
  @ApiProperty() reason!: string;
  @ApiProperty(COUNT) count!: number;
}

export class StepsLineDto implements StepsLine {
  @ApiProperty({ example: 'create_database' }) action!: string;
  @ApiProperty({ example: 'step' }) kind!: string;
  @ApiProperty(COUNT) runs!: number;
  @ApiProperty(COUNT) failures!: number;
  @ApiProperty({ ...COUNT, description: 'runs that were a second or later attempt' }) retries!: number;
  @ApiProperty({ type: 'number' }) p50Ms!: number;
  @ApiProperty({ type: 'number' }) p95Ms!: number;
  @ApiProperty({ type: 'number' }) maxMs!: number;
  @ApiProperty({ type: [FailureReasonDto], description: 'the most frequent failure reasons (at most 3)' })
  topFailures!: FailureReasonDto[];
}

export class StepsReportDto {
  @ApiProperty(NULLABLE_TIME) from!: string | null;
  @ApiProperty(NULLABLE_TIME) to!: string | null;
  @ApiProperty({ type: [StepsLineDto] }) lines!: StepsLineDto[];
}

export class FleetStatusCountDto {
  @ApiProperty() status!: string;
  @ApiProperty() district!: string;
  @ApiProperty() board!: string;
  @ApiProperty(COUNT) count!: number;
}

export class FleetSchemaCountDto {
  @ApiProperty({ type: 'string', nullable: true, example: '0004' }) schemaVersion!: string | null;
  @ApiProperty(COUNT) count!: number;
}

export class CertificateExpiryDto {
  @ApiProperty(COUNT) within7Days!: number;
  @ApiProperty(COUNT) within30Days!: number;
  @ApiProperty(COUNT) later!: number;
}

export class StuckSchoolDto {
  @ApiProperty({ type: 'string', format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() status!: string;
  @ApiProperty(TIME) since!: string;
  @ApiProperty({ type: 'number' }) seconds!: number;
}

export class FleetReportDto implements FleetReport {
  @ApiProperty({ type: [FleetStatusCountDto] }) byStatus!: FleetStatusCountDto[];
  @ApiProperty({ type: [FleetSchemaCountDto] }) bySchemaVersion!: FleetSchemaCountDto[];
  @ApiProperty({ type: CertificateExpiryDto }) certificateExpiry!: CertificateExpiryDto;
  @ApiProperty({ type: 'integer', description: 'SCS_STUCK_AFTER_S' }) stuckAfterSeconds!: number;
  @ApiProperty({ type: [StuckSchoolDto], description: 'non-terminal for longer than stuckAfterSeconds' })
  stuck!: StuckSchoolDto[];
}

const FREE_FORM = { type: 'object', additionalProperties: true } as const;

export class AuditEventDto implements AuditEvent {
  @ApiProperty({ description: 'the position in the store (commit/prepare)' }) position!: string;
  @ApiProperty({ example: 'school-7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f' }) streamId!: string;
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ type: 'string', format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'SchoolRequested' }) type!: string;
  @ApiProperty(TIME) time!: string;
  @ApiProperty({ ...FREE_FORM, description: "the event's data" }) data!: Record<string, unknown>;
  @ApiProperty({ ...FREE_FORM, description: 'actor, correlationId, causationId, clientAddress, …' })
  metadata!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) events!: AuditEventDto[];
  @ApiProperty({ type: 'string', nullable: true, description: 'pass as `after` for the next page; null at the end' })
  next!: string | null;
}
