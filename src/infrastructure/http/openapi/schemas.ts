import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchoolSummary } from '../../../application/request-school/request-school.command.js';
import type { RetriedSchool } from '../../../application/retry-school/retry-school.command.js';
import type { HistoryEntry } from '../../../application/school/school-history.js';
import type { SchoolConnection } from '../../../application/read-credentials/read-credentials.js';
import { SCHOOL_STATUSES, STEP_STATUSES, type StepStatus } from '../../../domain/school/state.js';
import { STEPS, UNDO_ORDER, type ActionName } from '../../../domain/school/steps.js';
import type { TenantServerStatus } from '../../../application/ports/tenant-servers.port.js';
import type {
  CertificateView,
  DeliveredView,
  RestoreView,
  SchemaUpgradeView,
  SchoolView,
  StepView,
  SuspensionView,
} from '../../../projections/school-read-model/school-view.js';
import { SCOPES } from '../scopes.js';
import type { SuspensionAccepted } from '../../../application/suspension/suspension.commands.js';
import type { RestoreAccepted } from '../../../application/restore-school/restore-school.command.js';
import { REASON_MAX } from '../../../domain/school/suspension.js';

/*
 * The answers' schemas, as classes @nestjs/swagger can see. Each `implements` the type the code returns,
 * so the compiler refuses a class that lacks one of its fields; the document closes every object
 * (openapi.ts), so the e2e suites' validation refuses a field that is answered but not described here.
 */

const TIME = { type: String, format: 'date-time' } as const;
const UUID = { type: String, format: 'uuid' } as const;

export class FieldErrorDto {
  @ApiProperty({ example: 'slug' }) field!: string;
  @ApiProperty({ example: 'must be 3 to 63 characters' }) message!: string;
}

/** A DNS record a problem names. */
export class DnsRecordDto {
  @ApiProperty({ example: 'shop.syncad.in' }) name!: string;
  @ApiProperty({ enum: ['A', 'CNAME', 'TXT'] }) type!: string;
  @ApiProperty({ example: '203.0.113.7' }) value!: string;
}

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({
    format: 'uri',
    example: 'https://scs.syncad.in/problems/validation',
    description: 'stable: switch on it (https://scs.syncad.in/problems/<slug>)',
  })
  type!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599 }) status!: number;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ description: 'the request path' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'every field error (400 validation)' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'the field at fault (409 slug-taken, 409 name-taken)' }) field?: string;
  @ApiPropertyOptional({ description: 'the DNS name that is taken (409 name-taken)' }) name?: string;
  @ApiPropertyOptional({
    type: [DnsRecordDto],
    description: 'the records SCS does not own at that name or under it (409 name-taken)',
  })
  records?: DnsRecordDto[];
  @ApiPropertyOptional({ description: 'the slug that is taken (409 slug-taken)' }) slug?: string;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'seconds until a claim that may be abandoned is taken over (409 slug-taken; also Retry-After)',
  })
  retryAfter?: number;
  @ApiPropertyOptional({
    enum: SCHOOL_STATUSES,
    description:
      'the status of the school that is not failed (409 school-not-failed, POST /school/:id/retry), or whose ' +
      'status does not allow the request (409 wrong-status)',
  })
  schoolStatus?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'when the school was created: the earliest asOf that shows it (404 school-not-yet)',
  })
  createdAt?: string;
  @ApiPropertyOptional({ enum: SCOPES, description: 'the scope the key lacks (403 missing-scope)' })
  scope?: string;
}

/** GET /me: the key that asked, and what it may do. */
export class MeDto {
  @ApiProperty({ description: "the key's id (the actor its requests are recorded with); never its secret" })
  id!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, description: 'every scope the key has, in the order SCS lists them' })
  scopes!: string[];
}

/** GET /school/:id/credentials: what a school app needs to connect to its database. */
export class SchoolConnectionDto implements SchoolConnection {
  @ApiProperty(UUID) schoolId!: string;
  @ApiProperty({ description: 'the tenant server (SCS_TENANT_SERVERS name) the database is on' }) server!: string;
  @ApiProperty({ description: 'its host as SCS reaches it' }) host!: string;
  @ApiProperty({ type: 'integer' }) port!: number;
  @ApiProperty() database!: string;
  @ApiProperty({ description: "the school database's owner role" }) role!: string;
  @ApiProperty({ description: "the role's current password; each read is recorded (SchoolCredentialsRead)" })
  password!: string;
}

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

/** What POST /school/:id/suspend and /resume answer (202): the status the school is in now. */
export class SuspensionAcceptedDto implements SuspensionAccepted {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ enum: SCHOOL_STATUSES, example: 'suspending' }) status!: string;
}

export class RestoreArchiveDto {
  @ApiProperty({ example: '/var/lib/scs/archives/7d2f…/school_7d2f….jsonl.gz' }) location!: string;
  @ApiProperty({ enum: ['pg_dump-custom', 'scs-jsonl-v1'] }) format!: string;
  @ApiProperty(TIME) archivedAt!: string;
}

/** What POST /school/:id/restore answers (202). */
export class RestoreAcceptedDto implements RestoreAccepted {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ example: 'greenwood-high' }) slug!: string;
  @ApiProperty({ enum: SCHOOL_STATUSES, example: 'restoring' }) status!: string;
  @ApiProperty({ type: RestoreArchiveDto, description: 'the archive the database is loaded from' })
  archive!: RestoreArchiveDto;
}

/** POST /school/:id/restore's body (optional). */
export class RestoreSchoolDto {
  @ApiPropertyOptional({ type: 'boolean', default: false, description: "send the school's admin a welcome-back email" })
  notify?: boolean;
}

/** POST /school/:id/suspend's body. */
export class SuspendSchoolDto {
  @ApiProperty({ minLength: 1, maxLength: REASON_MAX, example: 'contract lapsed', description: 'one line' })
  reason!: string;
}

const FREE_FORM = { type: 'object', additionalProperties: true } as const;

export class HistoryEntryDto implements HistoryEntry {
  @ApiProperty({ type: 'integer' }) revision!: number;
  @ApiProperty({ example: 'SchoolRequested' }) type!: string;
  @ApiProperty(TIME) time!: string;
  @ApiProperty({ ...FREE_FORM, description: "the event's data" }) data!: Record<string, unknown>;
  @ApiProperty({ ...FREE_FORM, description: 'actor, correlationId, causation, traceparent, …' })
  metadata!: Record<string, unknown>;
}

export class HistoryDto {
  @ApiProperty(UUID) id!: string;
  @ApiProperty({ type: [HistoryEntryDto] }) events!: HistoryEntryDto[];
}

export class AsOfDto {
  @ApiProperty(UUID) id!: string;
  @ApiProperty(TIME) asOf!: string;
  @ApiProperty({ type: 'integer', description: 'events recorded at or before asOf' }) eventCount!: number;
  @ApiProperty({ type: SchoolViewDto, description: 'the school as its events up to asOf show it' })
  state!: SchoolViewDto;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok'] }) status!: string;
}

export class CheckDto {
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional() error?: string;
}

export class ReadinessChecksDto {
  @ApiProperty({ type: CheckDto }) database!: CheckDto;
  @ApiProperty({ type: CheckDto }) eventStore!: CheckDto;
}

export class TenantServerStatusDto implements TenantServerStatus {
  @ApiProperty({ example: 'central' }) name!: string;
  @ApiProperty({ enum: ['open', 'draining', 'closed'] }) state!: TenantServerStatus['state'];
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) capacity?: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'schools placed there and not yet dropped' })
  schools!: number;
  @ApiProperty() reachable!: boolean;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'template clones ready there for the next schools (SCS_SPARE_DATABASES)',
  })
  spares?: number;
  @ApiPropertyOptional() error?: string;
}

export class ReadyDto {
  @ApiProperty({ enum: ['ready', 'not_ready'] }) status!: string;
  @ApiProperty({ type: ReadinessChecksDto }) checks!: ReadinessChecksDto;
  @ApiPropertyOptional({
    type: [TenantServerStatusDto],
    description: 'the tenant servers (listed; they do not decide readiness: new schools go to those that answer)',
  })
  servers?: TenantServerStatusDto[];
}
