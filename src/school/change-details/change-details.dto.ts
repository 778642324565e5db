import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { validateDetailChanges, type ChangeableDetails } from '../../domain/school/details.js';
import { problem } from '../../http/problem.js';

/** PATCH /school/:id's body, a JSON merge patch: any of these fields, each by the rule of POST /school. */
export class ChangeDetailsDto implements Partial<ChangeableDetails> {
  @ApiPropertyOptional({ minLength: 3, maxLength: 200, example: 'Greenwood High School' }) name?: string;
  @ApiPropertyOptional({ minLength: 2, maxLength: 100, example: 'Pune' }) district?: string;
  @ApiPropertyOptional({ minLength: 2, maxLength: 64, example: 'ICSE' }) board?: string;
  @ApiPropertyOptional({ format: 'email', maxLength: 254, example: 'office@greenwood.example' }) adminEmail?: string;
  @ApiPropertyOptional({ pattern: '^\\+[1-9][0-9]{6,14}$', example: '+919876543211', description: 'E.164' })
  phone?: string;
}

/** The domain's rules for a change of details (those of creation): every field error at once, as a 400. */
export function checkedChanges(body: unknown): Partial<ChangeableDetails> {
  const checked = validateDetailChanges(body);
  if (!Array.isArray(checked)) return checked;
  const errors = checked.slice(0, 20).map((e) => ({ field: e.field.slice(0, 64), message: e.message }));
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  throw new BadRequestException(problem(400, 'validation', 'Invalid request', detail, { errors }));
}
