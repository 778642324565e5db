import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { SCOPES } from '../../config/scopes.js';

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
