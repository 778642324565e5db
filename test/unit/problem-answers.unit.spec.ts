import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError, WrongStatusError } from '../../src/domain/school/errors.js';
import { JsonBodyError } from '../../src/http/json-body-check.js';
import { toProblem } from '../../src/http/problem.filter.js';
import { schoolListFilters } from '../../src/school/view/list-schools.dto.js';

const BASE = 'https://scs.syncad.in/problems/';

describe('toProblem: one problem+json answer per error', () => {
  it.each([
    ['revision_mismatch', 412, 'precondition-failed', 'm: GET it again'],
    ['school_not_found', 404, 'school-not-found', 'm'],
    ['school_deleted', 410, 'school-deleted', 'm'],
    ['school_not_active', 409, 'school-not-active', 'm'],
    ['not_deleted', 409, 'not-deleted', 'm'],
    ['archive_expired', 410, 'archive-expired', 'm'],
    ['school_already_exists', 409, 'conflict', 'm'],
    ['invalid_details', 400, 'validation', 'm'],
    ['move_refused', 500, 'internal', 'the request could not be completed'],
  ] as const)('maps the domain rule %s to %i %s', (code, status, slug, detail) => {
    expect(toProblem(new DomainError(code, 'm'))).toMatchObject({ status, type: `${BASE}${slug}`, detail });
  });

  it('names the status a wrong-status error found', () => {
    expect(toProblem(new WrongStatusError('deleting', 'no'))).toEqual({
      type: `${BASE}wrong-status`,
      title: 'Not in this status',
      status: 409,
      detail: 'no',
      schoolStatus: 'deleting',
    });
  });

  it("names the field of a refused JSON body, also when Nest wraps body-parser's error", () => {
    const expected = {
      type: `${BASE}duplicate-member`,
      title: 'Invalid request',
      status: 400,
      detail: 'a.b is given more than once',
      errors: [{ field: 'a.b', message: 'is given more than once' }],
    };
    const error = new JsonBodyError('duplicate-member', 'a.b', 'is given more than once');
    expect(toProblem(error)).toEqual(expected);
    expect(toProblem(new BadRequestException('x', { cause: error }))).toEqual(expected);
  });

  it("answers Nest's exceptions and body-parser's errors with their status", () => {
    expect(toProblem(new NotFoundException('gone'))).toMatchObject({ status: 404, type: `${BASE}not-found` });
    expect(toProblem({ status: 413, type: 'entity.too.large', message: 'big' })).toMatchObject({
      status: 413,
      type: `${BASE}payload-too-large`,
    });
    expect(toProblem({ status: 400, type: 'entity.parse.failed' })).toMatchObject({ type: `${BASE}malformed-json` });
    expect(toProblem(new Error('boom'))).toMatchObject({ status: 500, type: `${BASE}internal` });
  });
});

describe('schoolListFilters: GET /schools query', () => {
  it('fills the defaults and lower-cases the slug', () => {
    expect(schoolListFilters({ slug: 'Greenwood' })).toEqual({
      status: undefined,
      schemaVersion: undefined,
      slug: 'greenwood',
      q: undefined,
      district: undefined,
      board: undefined,
      limit: 50,
      offset: 0,
    });
  });

  it.each([
    [{ nope: '1' }, 'nope'],
    [{ status: 'sleeping' }, 'status'],
    [{ schemaVersion: '5' }, 'schemaVersion'],
    [{ after: 'not a cursor!' }, 'after'],
    [{ slug: 'a_b' }, 'slug'],
    [{ q: '' }, 'q'],
    [{ limit: '0' }, 'limit'],
  ])('refuses %j naming %s', (query, field) => {
    expect(() => schoolListFilters(query)).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ errors: [expect.objectContaining({ field })] }) }),
    );
  });
});
