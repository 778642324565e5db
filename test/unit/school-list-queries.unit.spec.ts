import { KeptAnswers } from '../../src/school/view/kept-answers.js';
import { listStatement } from '../../src/school/view/list-statement.js';
import { foldView } from '../../src/school/view/evolve-view.js';
import { presentSchool } from '../../src/school/view/school-view.js';
import { provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

describe('the school list statement', () => {
  it('numbers the filters, then the cursor, then limit and offset; named by the filters it has', () => {
    const after = { createdAt: '2026-12-07 11:50:00.123456+00', id: SCHOOL_ID };
    const statement = listStatement({ status: 'active', board: 'CBSE', limit: 50, offset: 0, after }, false);
    expect(statement.name).toBe('school-list-keys:status,board,after');
    expect(statement.values).toEqual(['active', 'CBSE', after.createdAt, SCHOOL_ID, 50, 0]);
    expect(statement.text).toContain('WHERE status = $1 AND board = $2) AS total');
    expect(statement.text).toContain('($3::timestamptz, $4::uuid)');
    expect(statement.text).toContain('LIMIT $5 OFFSET $6');
    expect(statement.text).not.toContain('document::text');
    expect(listStatement({ limit: 10, offset: 20 }, true).name).toBe('school-list:');
  });

  it('leaves a search by q unnamed, its wildcards escaped', () => {
    const statement = listStatement({ q: '50%_off', limit: 10, offset: 0 }, true);
    expect(statement.name).toBeUndefined();
    expect(statement.values).toEqual(['50\\%\\_off%', 10, 0]);
    expect(statement.text).toContain('document::text AS document');
  });
});

describe('the kept answers', () => {
  const view = foldView(provisionedSchool())!;
  const row = { id: SCHOOL_ID, revision: view.revision, version: '7' };

  it('answers a row of the kept revision and version only', () => {
    const answers = new KeptAnswers();
    expect(answers.get(row)).toBeUndefined();
    const kept = answers.keep(row, view);
    expect(kept.json).toBe(JSON.stringify(presentSchool(view)));
    expect(answers.get(row)?.json).toBe(kept.json);
    expect(answers.get({ ...row, revision: row.revision + 1 })).toBeUndefined();
    expect(answers.get({ ...row, version: '8' })).toBeUndefined();
    expect(answers.keyOf(SCHOOL_ID)).toMatchObject({ revision: row.revision, version: '7' });
  });
});
