import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SuspensionAccepted } from '../../school/suspension/suspension.commands.js';
import type { RestoreAccepted } from '../../school/restore-school/restore-school.command.js';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { REASON_MAX } from '../../domain/school/suspension.js';
import { TIME, UUID } from './property-types.js';

// Suspend, resume and restore: their bodies and their 202 answers.

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
