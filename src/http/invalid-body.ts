import { BadRequestException } from '@nestjs/common';
import { problem } from './problem.js';

/**
 * The 400 of a JSON body with fields at fault (POST /school/:id/suspend's and /restore's): every field named
 * in `detail`, the first 20 in `errors`.
 */
export function invalidBody(errors: Array<{ field: string; message: string }>): BadRequestException {
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  return new BadRequestException(
    problem(400, 'validation', 'Invalid request', detail, { errors: errors.slice(0, 20) }),
  );
}
