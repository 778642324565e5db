import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { TenantServerStatus } from '../../ports/tenant-servers.port.js';

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
