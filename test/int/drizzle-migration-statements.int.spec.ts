import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDrizzleMigrations } from '../../src/infrastructure/postgres/drizzle-migrations.js';
import { freshDatabase, withClient } from '../support/databases.js';

/**
 * A migration's statements go to PostgreSQL in one query: each must still end where its breakpoint is,
 * whatever the team wrote before it (a trailing comment, no semicolon), and a failing one must roll the
 * whole migration back.
 */
describe('drizzle migrations: a file in one round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scs-drizzle-statements-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function folder(name: string, sql: string): string {
    const at = join(dir, name);
    mkdirSync(join(at, 'meta'), { recursive: true });
    const entry = { idx: 0, version: '7', when: 1796605379775, tag: '0000_first', breakpoints: true };
    writeFileSync(
      join(at, 'meta', '_journal.json'),
      JSON.stringify({ version: '7', dialect: 'postgresql', entries: [entry] }),
    );
    writeFileSync(join(at, '0000_first.sql'), sql);
    return at;
  }

  it('ends each statement at its breakpoint, after a trailing comment or without a semicolon', async () => {
    const db = await freshDatabase('scs_drizzle_stmts');
    try {
      const sql = [
        'CREATE TABLE a (id int) -- no semicolon, and a comment',
        'CREATE TABLE b (id int);\n-- a comment line after it',
        'INSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2)',
      ].join('\n--> statement-breakpoint\n');
      const result = await withClient(db.url, (c) => applyDrizzleMigrations(c, folder('ok', sql)));
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
      const sql = ['CREATE TABLE a (id int);', 'INSERT INTO nowhere VALUES (1);'].join('\n--> statement-breakpoint\n');
      await expect(withClient(db.url, (c) => applyDrizzleMigrations(c, folder('failing', sql)))).rejects.toThrow(
        /0000_first\.sql/,
      );
      const left = await withClient(db.url, (c) => c.query("SELECT to_regclass('public.a') AS a"));
      expect(left.rows).toEqual([{ a: null }]);
    } finally {
      await db.drop();
    }
  });
});
