import { Slug } from './slug.js';

/** What a client asks for; validated here so every entry point (HTTP, CLI) applies the same rules. */
export interface SchoolDetails {
  name: string;
  slug: string;
  district: string;
  board: string;
  adminEmail: string;
  phone: string;
}

export interface FieldError {
  field: keyof SchoolDetails;
  message: string;
}

/** What can change after the request (`PATCH /school/:id`): all but the slug, which names its DNS record and stream. */
export type ChangeableDetails = Omit<SchoolDetails, 'slug'>;
export const CHANGEABLE_FIELDS = ['name', 'district', 'board', 'adminEmail', 'phone'] as const;

/** What the central registry row holds of the details (the platform's apps read it). */
export type RegistryDetails = Pick<SchoolDetails, 'name' | 'district' | 'board' | 'adminEmail'>;
export const REGISTRY_FIELDS = ['name', 'district', 'board', 'adminEmail'] as const;

export function registryDetailsOf(details: RegistryDetails): RegistryDetails {
  const { name, district, board, adminEmail } = details;
  return { name, district, board, adminEmail };
}

// Letters and marks of any script, digits, and the punctuation school names use; no control characters.
const NAME_PATTERN = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} .,'&()\-/]*$/u;
const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;

type Rule = (value: unknown) => string | undefined;

const text =
  (min: number, max: number, pattern: RegExp, what: string): Rule =>
  (value) => {
    if (typeof value !== 'string') return 'must be a string';
    if (value !== value.trim()) return 'must not start or end with spaces';
    if (value.length < min) return `must be at least ${min} characters`;
    if (value.length > max) return `must be at most ${max} characters`;
    if (!pattern.test(value)) return what;
    return undefined;
  };

/** What the rules take from the configuration: slugs reserved besides the built-in ones. */
export interface DetailOptions {
  reservedSlugs?: ReadonlySet<string>;
}

const slugRule =
  (reserved?: ReadonlySet<string>): Rule =>
  (value) => {
    const parsed = Slug.parse(value, reserved);
    return parsed.ok ? undefined : parsed.message;
  };

/** Each field's rule; the slug's with the built-in reserved names only (`validateSchoolDetails` takes more). */
export const DETAIL_RULES: Record<keyof SchoolDetails, Rule> = {
  name: text(3, 200, NAME_PATTERN, "may contain letters, digits, spaces and . , ' & ( ) - / only"),
  slug: slugRule(),
  district: text(2, 100, NAME_PATTERN, "may contain letters, digits, spaces and . , ' & ( ) - / only"),
  board: text(2, 64, NAME_PATTERN, "may contain letters, digits, spaces and . , ' & ( ) - / only"),
  adminEmail: (value) => {
    if (typeof value !== 'string') return 'must be a string';
    if (value.length > 254) return 'must be at most 254 characters';
    if (!EMAIL_PATTERN.test(value)) return 'must be an email address such as admin@school.example';
    return undefined;
  },
  phone: (value) => {
    if (typeof value !== 'string') return 'must be a string';
    if (!E164_PATTERN.test(value)) return 'must be an E.164 phone number such as +919876543210';
    return undefined;
  },
};

export const DETAIL_FIELDS = Object.keys(DETAIL_RULES) as Array<keyof SchoolDetails>;

/** Every field error at once (missing, wrong type, rule broken, unknown field). */
export function validateSchoolDetails(input: unknown, options: DetailOptions = {}): FieldError[] | SchoolDetails {
  const rules = options.reservedSlugs ? { ...DETAIL_RULES, slug: slugRule(options.reservedSlugs) } : DETAIL_RULES;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: 'name', message: 'the body must be a JSON object' }];
  }
  const record = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const field of DETAIL_FIELDS) {
    if (record[field] === undefined || record[field] === null) {
      errors.push({ field, message: 'is required' });
      continue;
    }
    const message = rules[field](record[field]);
    if (message) errors.push({ field, message });
  }
  if (errors.length > 0) return errors;
  const details = Object.fromEntries(DETAIL_FIELDS.map((f) => [f, record[f]])) as unknown as SchoolDetails;
  return { ...details, adminEmail: normalEmail(details.adminEmail) };
}

/** Domains are case-insensitive; the local part is left as written (RFC 5321). */
function normalEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return email.slice(0, at) + email.slice(at).toLowerCase();
}

/**
 * A JSON merge patch (RFC 7396) of the details, checked with the rules of creation: only the changeable
 * fields, each by its rule; `null` would remove a field, and every one is required. Every error at once.
 */
export function validateDetailChanges(
  input: unknown,
): Array<{ field: string; message: string }> | Partial<ChangeableDetails> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: '(body)', message: 'the body must be a JSON object' }];
  }
  const errors: Array<{ field: string; message: string }> = [];
  const changes: Record<string, string> = {};
  for (const [field, value] of Object.entries(input as Record<string, unknown>)) {
    if (field === 'slug') errors.push({ field, message: 'cannot be changed: it names the school in DNS' });
    else if (!(CHANGEABLE_FIELDS as readonly string[]).includes(field)) {
      errors.push({ field, message: 'is not a known field' });
    } else if (value === null) errors.push({ field, message: 'is required and cannot be removed' });
    else {
      const message = DETAIL_RULES[field as keyof ChangeableDetails](value);
      if (message) errors.push({ field, message });
      else changes[field] = field === 'adminEmail' ? normalEmail(value as string) : (value as string);
    }
  }
  return errors.length > 0 ? errors : changes;
}
