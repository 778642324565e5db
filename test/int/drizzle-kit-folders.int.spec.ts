import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { projectRoot } from '../../src/shared/project-root.js';
import { PostgresTenantDatabases } from '../../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { serverUrl, urlForDatabase, withClient } from '../support/databases.js';

const root = projectRoot();
const tempDirs: string[] = [];

/** A folder holding `files` (relative path → text) and the repository's node_modules, as a project would. */
function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'scs-drizzle-project-'));
  tempDirs.push(dir);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** `drizzle-kit generate` in `cwd`, as a developer runs it. */
function generate(cwd: string, args: string[] = []): Promise<string> {
  const bin = join(root, 'node_modules', 'drizzle-kit', 'bin.cjs');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [bin, 'generate', ...args], { cwd }, (error, stdout, stderr) =>
      error ? reject(new Error(`drizzle-kit generate: ${stderr || stdout}`)) : resolve(stdout),
    ),
  );
}

/** Every file of a folder (recursively) with its text, to tell whether anything was added or changed. */
function contents(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  return Object.fromEntries(
    files.map((f) => [join(f.parentPath, f.name).slice(dir.length), readFileSync(join(f.parentPath, f.name), 'utf8')]),
  );
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('school-schema/: the schema and its migrations agree (CI)', () => {
  const copy = () => {
    const dir = project();
    cpSync(join(root, 'school-schema'), join(dir, 'school-schema'), { recursive: true });
    return dir;
  };
  const config = ['--config', 'school-schema/drizzle.config.ts'];

  it('drizzle-kit generate finds nothing to add: every table in schema/ has its migration', async () => {
    const dir = copy();
    const before = contents(join(dir, 'school-schema', 'migrations'));
    expect(await generate(dir, config)).toMatch(/No schema changes, nothing to migrate/);
    expect(contents(join(dir, 'school-schema', 'migrations'))).toEqual(before);
  }, 120_000);

  it('a table added to schema/ without its migration is caught (the check above can fail)', async () => {
    const dir = copy();
    // Appended to the index, which imports nothing else from pg-core: the probe brings its own import.
    appendFileSync(
      join(dir, 'school-schema', 'schema', 'index.ts'),
      "\nimport { integer, pgTable } from 'drizzle-orm/pg-core';\n" +
        "export const ciProbe = pgTable('ci_probe', { id: integer().primaryKey() });\n",
    );
    await generate(dir, [...config, '--name', 'ci_probe']);
    const added = Object.keys(contents(join(dir, 'school-schema', 'migrations'))).filter((f) => f.includes('ci_probe'));
    expect(added).toEqual(['/0004_ci_probe.sql']);
  }, 120_000);
});

describe('a drizzle-kit folder made outside this repository (SCS_SCHOOL_MIGRATIONS_DIR)', () => {
  const config =
    "import { defineConfig } from 'drizzle-kit';\n" +
    "export default defineConfig({ dialect: 'postgresql', schema: './schema.ts', out: './drizzle' });\n";
  const tables = `import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
export const clubs = pgTable('clubs', { id: uuid().primaryKey().defaultRandom(), name: text().notNull().unique() });
export const members = pgTable('members', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  clubId: uuid('club_id').notNull().references(() => clubs.id, { onDelete: 'cascade' }),
  joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
});
`;
  const second = `export const meetings = pgTable('meetings', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  clubId: uuid('club_id').notNull().references(() => clubs.id),
  topic: text(),
});
`;
  const names = [1, 2].map(() => `school_${randomBytes(16).toString('hex')}`);
  const templates: string[] = [];

  afterAll(async () => {
    await withClient(serverUrl(), async (c) => {
      for (const name of [...names, ...templates])
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    });
  });

  it('provisions schools from its template and rolls its second migration out; drizzle-orm agrees', async () => {
    const first = project({ 'drizzle.config.ts': config, 'schema.ts': tables });
    await generate(first, ['--name', 'clubs']);
    const tablesOf = (name: string) =>
      withClient(urlForDatabase(name), async (c) => {
        const rows = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
        return rows.rows.map((r) => r.tablename);
      });

    const v1 = new PostgresTenantDatabases({ serverUrl: serverUrl(), migrationsDir: join(first, 'drizzle') });
    templates.push(v1.templateName);
    await v1.ensureTemplate();
    expect(v1.currentSchemaVersion()).toBe('0001');
    for (const name of names) {
      expect(await v1.create(name)).toMatchObject({ method: 'template' });
      expect(await v1.migrate(name)).toMatchObject({ schemaVersion: '0001', applied: [], tableCount: 2 });
      expect(await tablesOf(name)).toEqual(['clubs', 'members']);
    }

    // The app team's next change, generated in their project (a copy here: SCS reads a folder once).
    const next = project();
    cpSync(first, next, { recursive: true, filter: (src) => !src.endsWith('node_modules') });
    appendFileSync(join(next, 'schema.ts'), second);
    await generate(next, ['--name', 'meetings']);
    const v2 = new PostgresTenantDatabases({ serverUrl: serverUrl(), migrationsDir: join(next, 'drizzle') });
    templates.push(v2.templateName);
    expect(v2.currentSchemaVersion()).toBe('0002');
    const timeouts = { lockTimeoutMs: 2000, statementTimeoutMs: 60_000 };
    for (const name of names) {
      const migrated = await v2.migrate(name, { timeouts });
      expect(migrated).toMatchObject({ schemaVersion: '0002', applied: ['0001_meetings'], tableCount: 3 });
      expect(await tablesOf(name)).toEqual(['clubs', 'meetings', 'members']);
      const client = new pg.Client({ connectionString: urlForDatabase(name) });
      await client.connect();
      const ran: string[] = [];
      try {
        await drizzleMigrate(drizzle({ client, logger: { logQuery: (q) => void ran.push(q) } }), {
          migrationsFolder: join(next, 'drizzle'),
        });
      } finally {
        await client.end();
      }
      expect(ran.filter((q) => /^\s*(insert|alter|create table "|create index)/i.test(q))).toEqual([]);
    }
    await v1.close();
    await v2.close();
  }, 180_000);
});
