import { BadRequestException, Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import {
  IsDefined,
  Validate,
  ValidatorConstraint,
  validate,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { APP_SETTINGS, type AppSettings } from '../../shared/settings.js';
import { DETAIL_FIELDS, DETAIL_RULES, validateSchoolDetails, type SchoolDetails } from '../../domain/school/details.js';
import { problem } from '../../http/problem.js';

/** Applies the domain's rule for one field, so HTTP and domain never disagree on what is valid. */
@ValidatorConstraint({ name: 'schoolDetail' })
class SchoolDetailRule implements ValidatorConstraintInterface {
  private message = '';
  validate(value: unknown, args: ValidationArguments): boolean {
    const rule = DETAIL_RULES[args.property as keyof SchoolDetails];
    this.message = rule(value) ?? '';
    return this.message === '';
  }
  defaultMessage(args: ValidationArguments): string {
    return DETAIL_RULES[args.property as keyof SchoolDetails](args.value) ?? 'is invalid';
  }
}

/** POST /school's body: exactly these fields; any other is refused (no mass assignment). */
export class CreateSchoolDto implements SchoolDetails {
  @ApiProperty({ minLength: 3, maxLength: 200, example: 'Greenwood High' })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  name!: string;
  @ApiProperty({
    minLength: 3,
    maxLength: 63,
    pattern: '^[a-z0-9][a-z0-9-]*[a-z0-9]$',
    example: 'greenwood',
    description: 'its DNS label: a-z, 0-9 and inner hyphens; not `xn--…` nor a reserved name',
  })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  slug!: string;
  @ApiProperty({ minLength: 2, maxLength: 100, example: 'Pune' })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  district!: string;
  @ApiProperty({ minLength: 2, maxLength: 64, example: 'CBSE' })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  board!: string;
  @ApiProperty({ format: 'email', maxLength: 254, example: 'admin@greenwood.example' })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  adminEmail!: string;
  @ApiProperty({ pattern: '^\\+[1-9][0-9]{6,14}$', example: '+919876543210', description: 'E.164' })
  @IsDefined({ message: 'is required' })
  @Validate(SchoolDetailRule)
  phone!: string;
}

function invalid(errors: Array<{ field: string; message: string }>): BadRequestException {
  return new BadRequestException(
    problem(400, 'validation', 'Invalid request', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors }),
  );
}

@Injectable()
export class CreateSchoolPipe implements PipeTransform<unknown, Promise<SchoolDetails>> {
  private readonly reservedSlugs: ReadonlySet<string>;
  constructor(@Inject(APP_SETTINGS) settings: AppSettings) {
    this.reservedSlugs = new Set(settings.reservedSlugs);
  }

  async transform(body: unknown): Promise<SchoolDetails> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalid([
        { field: '(body)', message: 'must be a JSON object with name, slug, district, board, adminEmail and phone' },
      ]);
    }
    // Own keys are checked first: JSON.parse makes `__proto__` an own key that class-transformer would
    // treat as the prototype instead of reporting it as an unknown field.
    const unknown = Object.keys(body).filter((key) => !(DETAIL_FIELDS as string[]).includes(key));
    const dto = plainToInstance(
      CreateSchoolDto,
      Object.fromEntries(Object.entries(body).filter(([key]) => !unknown.includes(key))),
      { enableImplicitConversion: false },
    );
    const found = await validate(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      forbidUnknownValues: true,
    });
    const errors = [
      ...found.map((e) => ({
        field: e.property.slice(0, 64),
        message: Object.values(e.constraints ?? {})[0] ?? 'is invalid',
      })),
      ...unknown.slice(0, 20).map((key) => ({ field: key.slice(0, 64), message: 'is not a known field' })),
    ];
    if (errors.length > 0) throw invalid(errors);
    // The slugs the operator reserved: the domain's rules with them, so the answer is a built-in one's.
    const checked = validateSchoolDetails(dto, { reservedSlugs: this.reservedSlugs });
    if (Array.isArray(checked)) throw invalid(checked);
    const { name, slug, district, board, adminEmail, phone } = dto;
    return { name, slug, district, board, adminEmail, phone };
  }
}
