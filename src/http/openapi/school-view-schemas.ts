import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchoolSummary } from '../../school/request-school/request-school.command.js';
import type { RetriedSchool } from '../../school/retry-school/retry-school.command.js';
import { SCHOOL_STATUSES, STEP_STATUSES, type StepStatus } from '../../domain/school/state.js';
import { STEPS, UNDO_ORDER, type ActionName } from '../../domain/school/steps.js';
import type {
  CertificateView,
  DeliveredView,
  RestoreView,
  SchemaUpgradeView,
  SchoolView,
  StepView,
  SuspensionView,
} from '../../school/view/school-view.js';
import { TIME, UUID } from './property-types.js';

// POST /school, GET /school/:id, GET /schools and DELETE /school/:id: the school as the read model shows it.

/** What POST /school answers (202). */
export class SchoolSummaryDto implements SchoolSummary {
  @ApiProperty(UUID) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ example: 'school_0f8fad5bd9cb469fa16570867728950e' }) databaseName!: string;
  @ApiProperty({ example: 'greenwood.syncad.in' }) subdomain!: string;
  @ApiProperty({ enum: SCHOOL_STATUSES }) status!: string;
  @ApiProperty(TIME) createdAt!: string;
}

/** What POST /school/:id/retry answers (202): the new school, and the failed school it retries. */
export class RetriedSchoolDto extends SchoolSummaryDto implements RetriedSchool {
  @ApiProperty({ ...UUID, description: 'the failed school whose details were requested again' }) retryOf!: string;
}

export class StepViewDto implements StepView {
  @ApiProperty({ enum: [...STEPS, ...UNDO_ORDER] }) name!: ActionName;
  @ApiProperty({ enum: STEP_STATUSES }) status!: StepStatus;
  @ApiProperty({ type: 'integer', minimum: 0 }) attempts!: number;
  @ApiProperty({ ...TIME, nullable: true }) startedAt!: string | null;
  @ApiProperty({ ...TIME, nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiPropertyOptional({ ...TIME, description: 'only while the step waits for its retry' }) retryAt?: string;
}

export class RenewalDto {
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty() error!: string;
  @ApiProperty(TIME) retryAt!: string;
}

export class DeliveredDto implements DeliveredView {
  @ApiProperty({ enum: ['none', 'files', 'alb'], description: 'CERT_DELIVERY when it was delivered' })
  delivery!: string;
  @ApiProperty({ description: 'the serial delivered: behind `serialNumber` until a renewed certificate is delivered' })
  serialNumber!: string;
  @ApiPropertyOptional({ description: 'the folder, or the load balancer listener (none with `none`)' })
  location?: string;
  @ApiProperty(TIME) deliveredAt!: string;
}

export class CertificateViewDto implements CertificateView {
  @ApiProperty({ example: 'local' }) provider!: string;
  @ApiProperty() serialNumber!: string;
  @ApiPropertyOptional(TIME) notBefore?: string;
  @ApiProperty(TIME) notAfter!: string;
  @ApiProperty() issuer!: string;
  @ApiPropertyOptional(TIME) renewedAt?: string;
  @ApiPropertyOptional({ type: RenewalDto, description: 'a renewal that failed and waits for its retry' })
  renewal?: RenewalDto;
  @ApiPropertyOptional({ type: DeliveredDto, description: 'where it was delivered for TLS (CERT_DELIVERY)' })
  delivered?: DeliveredDto;
}

export class DnsViewDto {
  @ApiProperty({ example: 'greenwood.syncad.in' }) name!: string;
  @ApiProperty({ enum: ['A', 'CNAME'] }) type!: string;
  @ApiProperty({ example: 'local' }) provider!: string;
}

export class SchemaUpgradeDto implements SchemaUpgradeView {
  @ApiProperty({ enum: ['failed'] }) status!: 'failed';
  @ApiProperty({ example: '0005_student_nickname.sql' }) migration!: string;
  @ApiProperty() error!: string;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ description: 'a changed checksum: not retried' }) permanent!: boolean;
  @ApiProperty(TIME) failedAt!: string;
  @ApiPropertyOptional(TIME) retryAt?: string;
}

export class SuspensionRetryDto {
  @ApiProperty({ enum: ['suspend_school', 'resume_school'] }) action!: string;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty() error!: string;
  @ApiProperty(TIME) retryAt!: string;
}

export class SuspensionViewDto implements SuspensionView {
  @ApiProperty({ example: 'contract lapsed' }) reason!: string;
  @ApiProperty(TIME) requestedAt!: string;
  @ApiProperty({ ...TIME, type: 'string', nullable: true, description: 'null until the school is suspended' })
  suspendedAt!: string | null;
  @ApiPropertyOptional({ type: SuspensionRetryDto, description: 'the last failed attempt, until one succeeds' })
  retry?: SuspensionRetryDto;
}

export class RestoreViewDto implements RestoreView {
  @ApiProperty({ enum: ['restoring', 'restored', 'failed'] }) status!: 'restoring' | 'restored' | 'failed';
  @ApiProperty(TIME) requestedAt!: string;
  @ApiProperty({ ...TIME, description: 'when the archive it loads was made (the teardown)' }) archivedAt!: string;
  @ApiProperty({ ...TIME, type: 'string', nullable: true, description: 'null while under way' })
  finishedAt!: string | null;
  @ApiPropertyOptional({ enum: STEPS, description: 'when failed' }) failedStep?: string;
  @ApiPropertyOptional({ description: 'when failed: why (the school is deleted again)' }) reason?: string;
}

/** GET /school/:id: the read model's view of a school. */
export class SchoolViewDto extends SchoolSummaryDto implements SchoolView {
  @ApiProperty(TIME) updatedAt!: string;
  @ApiProperty() district!: string;
  @ApiProperty() board!: string;
  @ApiProperty({ format: 'email' }) adminEmail!: string;
  @ApiProperty({ example: '+919876543210' }) phone!: string;
  @ApiProperty({ type: [StepViewDto], description: 'every step, in step order' }) steps!: StepViewDto[];
  @ApiProperty({ type: [StepViewDto], description: 'the compensations run so far, in undo order' })
  compensations!: StepViewDto[];
  @ApiPropertyOptional({ enum: STEPS, description: 'when failed' }) failedStep?: string;
  @ApiPropertyOptional({ description: 'when failed' }) failureReason?: string;
  @ApiProperty({ type: [String] }) warnings!: string[];
  @ApiPropertyOptional({ type: CertificateViewDto }) certificate?: CertificateViewDto;
  @ApiPropertyOptional({ type: DnsViewDto }) dns?: DnsViewDto;
  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'central',
    description: 'the tenant server its database is on (null before create_database): where the school apps connect',
  })
  server!: string | null;
  @ApiProperty({
    type: 'string',
    nullable: true,
    example: '0004',
    description: 'of its database; null before run_migrations',
  })
  schemaVersion!: string | null;
  @ApiPropertyOptional({ type: SchemaUpgradeDto, description: 'the last failed schema upgrade, until one succeeds' })
  schemaUpgrade?: SchemaUpgradeDto;
  @ApiPropertyOptional({
    type: SuspensionViewDto,
    description: 'while suspending, suspended and resuming: why, since when',
  })
  suspension?: SuspensionViewDto;
  @ApiPropertyOptional({ type: RestoreViewDto, description: 'its last restore from its archive, once one was asked' })
  restore?: RestoreViewDto;
  @ApiProperty({ type: 'integer', description: 'stream revision of the last event folded in' }) revision!: number;
}

export class SchoolListDto {
  @ApiProperty({ type: [SchoolViewDto] }) items!: SchoolViewDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) limit!: number;
  @ApiProperty({ type: 'integer' }) offset!: number;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'pass as `after` for the page that follows; null when this page is not full (the last one)',
  })
  next!: string | null;
}

export class TeardownAcceptedDto {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: SCHOOL_STATUSES }) status!: string;
}
