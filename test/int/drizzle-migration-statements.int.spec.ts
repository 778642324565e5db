import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDrizzleMigrations } from '../../src/adapters/postgres/drizzle-migrations.js';
import { freshDatabase, withClient } from '../support/databases.js';
import { addDrizzleMigration } from '../support/drizzle-folders.js';

/**
 * A migration's statements go to PostgreSQL in one query: each must still end where its breakpoint is,
 * whatever the team wrote before it (a trailing comment, no semicolon), and a failing one must roll the
 * whole migration back.
 */
describe('drizzle migrations: a file in one round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scs-drizzle-statements-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A folder of its own holding one migration, `0000_first`, of these statements. */
  function folder(name: string, statements: string[]): string {
    const at = join(dir, name);
    addDrizzleMigration(at, 'first', statements);
    return at;
  }

  it('ends each statement at its breakpoint, after a trailing comment or without a semicolon', async () => {
    const db = await freshDatabase('scs_drizzle_stmts');
    try {
      const statements = [
        'CREATE TABLE a (id int) -- no semicolon, and a comment',
        'CREATE TABLE b (id int);\n-- a comment line after it',
        'INSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2)',
      ];
      const result = await withClient(db.url, (c) => applyDrizzleMigrations(c, folder('ok', statements)));
      expect(result.applied).toEqual(['0000_first']);
      const rows = await withClient(db.url, (c) => c.query('SELECT (SELECT id FROM a) AS a, (SELECT id FROM b) AS b'));
      expect(rows.rows).toEqual([{ a: 1, b: 2 }]);
    } finally {
      await db.drop();
    }
  });

  it('rolls the whole file back when one statement fails, naming the file', async () => {
    const db = await freshDatabase('scs_drizzle_stmts');
    try {
      const statements = ['CREATE TABLE a (id int);', 'INSERT INTO nowhere VALUES (1);'];
      await expect(withClient(db.url, (c) => applyDrizzleMigrations(c, folder('failing', statements)))).rejects.toThrow(
        /0000_first\.sql/,
      );
      const left = await withClient(db.url, (c) => c.query("SELECT to_regclass('public.a') AS a"));
      expect(left.rows).toEqual([{ a: null }]);
    } finally {
      await db.drop();
    }
  });
});
