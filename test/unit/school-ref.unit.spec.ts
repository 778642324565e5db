import { InvalidArgumentError } from 'commander';
import { CliFailure } from '../../src/cli/cli.js';
import { resolveSchool, schoolRefArg } from '../../src/cli/school-ref.js';
import type { SchoolView } from '../../src/school/view/school-view.js';

const ID = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';

/** The read model's list, as the resolution reads it: the schools that ever had `slug`. */
function schoolsWith(...schools: Array<Pick<SchoolView, 'id' | 'status'>>) {
  const asked: unknown[] = [];
  const queries = {
    list: async (filters: { slug?: string }) => {
      asked.push(filters);
      const items = schools.map((s) => ({ ...s, createdAt: '2026-11-01T00:00:00.000Z' }) as SchoolView);
      return { items, total: items.length, limit: 500, offset: 0, next: null };
    },
  };
  return { queries, asked };
}

describe('a school named on the command line by its id or its slug', () => {
  it.each([
    [ID.toUpperCase(), ID],
    ['Greenwood', 'greenwood'],
    ['st-mary-2', 'st-mary-2'],
  ])('takes %s as %s', (arg, ref) => expect(schoolRefArg(arg)).toBe(ref));

  it.each(['not an id', 'greenwood.syncad.in', 'a_b', '', 'x'.repeat(64)])('refuses %j as a usage error', (arg) =>
    expect(() => schoolRefArg(arg)).toThrow(InvalidArgumentError),
  );

  it('takes an id as it is, without a lookup', async () => {
    const { queries, asked } = schoolsWith();
    expect(await resolveSchool(queries, ID)).toBe(ID);
    expect(asked).toEqual([]);
  });

  it('takes the school holding the slug over those that gave it back', async () => {
    const { queries, asked } = schoolsWith(
      { id: 'a', status: 'deleted' },
      { id: 'b', status: 'failed' },
      {
        id: 'c',
        status: 'provisioning',
      },
    );
    expect(await resolveSchool(queries, 'greenwood')).toBe('c');
    expect(asked).toEqual([expect.objectContaining({ slug: 'greenwood' })]);
  });

  it('takes the one school that had the slug, even deleted', async () => {
    expect(await resolveSchool(schoolsWith({ id: 'a', status: 'deleted' }).queries, 'greenwood')).toBe('a');
  });

  it('refuses an unknown slug, and one that several schools gave back, listing their ids', async () => {
    await expect(resolveSchool(schoolsWith().queries, 'greenwood')).rejects.toThrow(
      new CliFailure('no school with id or slug greenwood'),
    );
    const several = schoolsWith({ id: 'a', status: 'deleted' }, { id: 'b', status: 'failed' });
    const refusal = resolveSchool(several.queries, 'greenwood');
    await expect(refusal).rejects.toBeInstanceOf(CliFailure);
    await expect(refusal).rejects.toThrow(/slug greenwood names 2 schools; give the id of one:\n {2}a {2}deleted/);
  });
});
