import { decide } from '../../src/domain/school/decide.js';
import { validateSchoolDetails } from '../../src/domain/school/details.js';
import { Slug } from '../../src/domain/school/slug.js';
import { details } from '../support/school-spec.js';

describe('Slug', () => {
  it.each(['abc', 'greenwood-high', 'st-marys-2', 'a'.repeat(63), '123'])('accepts %s', (slug) => {
    expect(Slug.check(slug)).toBeUndefined();
  });
  it.each([
    ['ab', 'too_short'],
    ['a'.repeat(64), 'too_long'],
    ['Green', 'invalid_characters'],
    ['green_wood', 'invalid_characters'],
    ['-green', 'hyphen_at_edge'],
    ['green-', 'hyphen_at_edge'],
    ['xn--bcher-kva', 'punycode_prefix'],
    ['ab--c', 'punycode_prefix'],
    ['www', 'reserved'],
    ['api', 'reserved'],
    ['admin', 'reserved'],
    ['mail', 'reserved'],
    ['scs', 'reserved'],
    ['gréen', 'invalid_characters'],
    ['green wood', 'invalid_characters'],
    [42, 'not_a_string'],
  ])('refuses %s (%s)', (slug, error) => {
    expect(Slug.check(slug)).toBe(error);
  });
});

describe('school details', () => {
  it('accepts good details and lowercases only the email domain', () => {
    expect(validateSchoolDetails({ ...details, adminEmail: 'Head.Master@Greenwood.EXAMPLE' })).toEqual({
      ...details,
      adminEmail: 'Head.Master@greenwood.example',
    });
  });

  it('reports every bad field at once', () => {
    const errors = validateSchoolDetails({ name: '', slug: 'WWW', district: 7, adminEmail: 'nope', phone: '98765' });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'name' }),
        expect.objectContaining({ field: 'slug' }),
        expect.objectContaining({ field: 'district', message: 'must be a string' }),
        expect.objectContaining({ field: 'board', message: 'is required' }),
        expect.objectContaining({ field: 'adminEmail' }),
        expect.objectContaining({ field: 'phone' }),
      ]),
    );
    expect((errors as unknown[]).length).toBe(6);
  });

  it.each(['+91 98765 43210', '919876543210', '+0123456789', '+1234', '+1234567890123456'])(
    'refuses the phone %s (not E.164)',
    (phone) => {
      expect(validateSchoolDetails({ ...details, phone })).toEqual([expect.objectContaining({ field: 'phone' })]);
    },
  );

  it.each(['Greenwood\u0000High', 'Green\nwood', '<script>alert(1)</script>', ' Greenwood'])(
    'refuses the name %j',
    (name) => {
      expect(validateSchoolDetails({ ...details, name })).toEqual([expect.objectContaining({ field: 'name' })]);
    },
  );

  it('accepts names in other scripts', () => {
    expect(Array.isArray(validateSchoolDetails({ ...details, name: 'सरस्वती विद्यालय' }))).toBe(false);
  });
});

describe('reserved slugs added by the configuration', () => {
  const reservedSlugs = new Set(['campus']);
  it('are refused as the built-in ones are, by the details rules and by decide', () => {
    expect(Slug.check('campus', reservedSlugs)).toBe('reserved');
    expect(Slug.check('campus')).toBeUndefined();
    expect(validateSchoolDetails({ ...details, slug: 'campus' }, { reservedSlugs })).toEqual([
      { field: 'slug', message: 'is reserved' },
    ]);
    expect(validateSchoolDetails({ ...details, slug: 'admin' }, { reservedSlugs })).toEqual([
      { field: 'slug', message: 'is reserved' },
    ]);
    const data = { schoolId: 'id', databaseName: 'db', subdomain: 's', slugStream: 'x', slugRevision: 0, now: 'n' };
    const command = { type: 'RequestSchool', data: { ...data, details: { ...details, slug: 'campus' } } } as const;
    expect(() => decide({ ...command, data: { ...command.data, reservedSlugs: ['campus'] } }, undefined)).toThrow(
      'slug is reserved',
    );
    expect(decide(command, undefined).map((e) => e.type)).toEqual(['SchoolRequested', 'SlugReserved']);
  });
});
