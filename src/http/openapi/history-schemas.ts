import { ApiProperty } from '@nestjs/swagger';
import type { HistoryEntry } from '../../school/history/school-history.js';
import { TIME, UUID } from './property-types.js';
import { SchoolViewDto } from './school-view-schemas.js';

// GET /school/:id/history: the school's events, or with asOf its state at that time.

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
