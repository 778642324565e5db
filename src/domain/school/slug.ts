/** A school's slug: its DNS label under BASE_DOMAIN, so DNS label rules apply (RFC 1035, lowercase). */
const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www',
  'api',
  'admin',
  'mail',
  'scs',
  'smtp',
  'imap',
  'pop',
  'ftp',
  'ns1',
  'ns2',
  'dns',
  'mx',
  'app',
  'apps',
  'auth',
  'login',
  'sso',
  'status',
  'static',
  'cdn',
  'assets',
  'docs',
  'help',
  'support',
  'blog',
  'dev',
  'staging',
  'test',
  'internal',
  'root',
  'localhost',
  'syncad',
  'dashboard',
  'portal',
  'billing',
  'webmail',
  'autodiscover',
  'autoconfig',
  'postmaster',
  'hostmaster',
  'webmaster',
  'abuse',
  'security',
  'wildcard',
]);

export type SlugError =
  'not_a_string' | 'too_short' | 'too_long' | 'invalid_characters' | 'hyphen_at_edge' | 'punycode_prefix' | 'reserved';

const MESSAGES: Record<SlugError, string> = {
  not_a_string: 'must be a string',
  too_short: 'must be at least 3 characters',
  too_long: 'must be at most 63 characters',
  invalid_characters: 'may contain only lowercase letters a-z, digits 0-9 and hyphens',
  hyphen_at_edge: 'must not start or end with a hyphen',
  punycode_prefix: 'must not start with "xn--" (punycode) or have hyphens in the 3rd and 4th positions',
  reserved: 'is reserved',
};

export class Slug {
  private constructor(readonly value: string) {}

  /** `moreReserved`: names reserved besides the built-in ones (the operator's, from the configuration). */
  static parse(
    input: unknown,
    moreReserved?: ReadonlySet<string>,
  ): { ok: true; slug: Slug } | { ok: false; error: SlugError; message: string } {
    const error = Slug.check(input, moreReserved);
    if (error) return { ok: false, error, message: MESSAGES[error] };
    return { ok: true, slug: new Slug(input as string) };
  }

  static check(input: unknown, moreReserved?: ReadonlySet<string>): SlugError | undefined {
    if (typeof input !== 'string') return 'not_a_string';
    if (input.length < 3) return 'too_short';
    if (input.length > 63) return 'too_long';
    if (!/^[a-z0-9-]+$/.test(input)) return 'invalid_characters';
    if (input.startsWith('-') || input.endsWith('-')) return 'hyphen_at_edge';
    // "xn--" marks punycode; RFC 5891 reserves every label with hyphens in positions 3 and 4.
    if (input.slice(2, 4) === '--') return 'punycode_prefix';
    if (RESERVED_SLUGS.has(input) || moreReserved?.has(input)) return 'reserved';
    return undefined;
  }

  toString(): string {
    return this.value;
  }
}

export const SLUG_STREAM_PREFIX = 'school_slug-';

export function slugStreamId(slug: string): string {
  return `${SLUG_STREAM_PREFIX}${slug}`;
}
