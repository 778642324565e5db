import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schoolSchemaDir } from '../../src/adapters/postgres/drizzle-migrations.js';
import { projectRoot } from '../../src/shared/project-root.js';

/** The SQL files SCS shipped before Drizzle (0001-0004), kept to compare with and to make old-format schools. */
export const SQL_SCHOOL_MIGRATIONS = join(projectRoot(), 'test', 'fixtures', 'school-sql-migrations');

interface Journal {
  version: string;
  dialect: string;
  entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }>;
}

const readJournal = (dir: string): Journal =>
  JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
const writeJournal = (dir: string, journal: Journal) =>
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(journal, null, 2));

/**
 * A copy of a drizzle-kit folder (the shipped school schema's by default) in a new temp folder, keeping only
 * its first `keep` migrations when given. `dirs` collects it for the caller to remove.
 */
export function copyDrizzleFolder(dirs: string[], options: { from?: string; keep?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'scs-drizzle-'));
  dirs.push(dir);
  cpSync(options.from ?? schoolSchemaDir(), dir, { recursive: true });
  if (options.keep !== undefined) {
    const journal = readJournal(dir);
    writeJournal(dir, { ...journal, entries: journal.entries.slice(0, options.keep) });
  }
  return dir;
}

/**
 * Appends a migration as `drizzle-kit generate --custom` would (a journal entry, `when` now and after the
 * last one, and its SQL file; statements separated by `--> statement-breakpoint`). Returns its tag.
 */
export function addDrizzleMigration(dir: string, name: string, statements: string[]): string {
  mkdirSync(join(dir, 'meta'), { recursive: true });
  let journal: Journal;
  try {
    journal = readJournal(dir);
  } catch {
    journal = { version: '7', dialect: 'postgresql', entries: [] };
  }
  const idx = journal.entries.length;
  const tag = `${String(idx).padStart(4, '0')}_${name}`;
  const when = Math.max(Date.now(), (journal.entries.at(-1)?.when ?? 0) + 1);
  journal.entries.push({ idx, version: '7', when, tag, breakpoints: true });
  writeFileSync(join(dir, `${tag}.sql`), statements.join('\n--> statement-breakpoint\n'));
  writeJournal(dir, journal);
  return tag;
}

/** A copy of the pre-Drizzle SQL files keeping the first `keep` (a school made by them is at version `keep`). */
export function copySqlFolder(dirs: string[], keep: number): string {
  const dir = copyDrizzleFolder(dirs, { from: SQL_SCHOOL_MIGRATIONS });
  for (const file of readdirSync(dir).sort().slice(keep)) rmSync(join(dir, file));
  return dir;
}
