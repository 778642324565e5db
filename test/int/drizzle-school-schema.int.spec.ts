import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigrate } from 'drizzle-orm/node-postgres/migrator';
import { applySqlMigrations } from '../../src/adapters/postgres/sql-migrations.js';
import {
  applyDrizzleMigrations,
  listDrizzleMigrations,
  schoolSchemaDir,
} from '../../src/adapters/postgres/drizzle-migrations.js';
import { PostgresTenantDatabases } from '../../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { freshDatabase, serverUrl, urlForDatabase, withClient } from '../support/databases.js';
import {
  addDrizzleMigration,
  copyDrizzleFolder,
  copySqlFolder,
  SQL_SCHOOL_MIGRATIONS,
} from '../support/drizzle-folders.js';
import { catalogDifference, schoolCatalog } from '../support/school-catalog.js';

const suffix = randomBytes(4).toString('hex');
const templateName = `scs_tpl_drizzle_${suffix}`;
const tempDirs: string[] = [];
const schools = new Set<string>();
const templates = new Set<string>([templateName]);
const shipped = listDrizzleMigrations(schoolSchemaDir());
let databases: PostgresTenantDatabases;

function schoolName(): string {
  const name = `school_${randomBytes(16).toString('hex')}`;
  schools.add(name);
  return name;
}

const password = 'a-school-app-password-0123456789';
const owner = (name: string) => ({ role: `${name}_owner`, password });
const ownerUrl = (name: string) => {
  const url = new URL(urlForDatabase(name));
  [url.username, url.password] = [`${name}_owner`, password];
  return url.toString();
};

const catalogOf = (name: string) => withClient(urlForDatabase(name), schoolCatalog);
const journalOf = (name: string) =>
  withClient(urlForDatabase(name), async (c) => {
    const rows = await c.query('SELECT id, hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id');
    return rows.rows as Array<{ id: number; hash: string; created_at: string }>;
  });

/**
 * drizzle-orm's own migrate(), as a school app runs it (node-postgres, the school's own role), returning the
 * statements it ran other than its bookkeeping (its CREATE SCHEMA/TABLE IF NOT EXISTS, the read of the last
 * row, and the transaction it always opens), which drizzle-orm's logger sees as they are sent.
 */
async function appMigrate(name: string, migrationsFolder: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: ownerUrl(name) });
  await client.connect();
  const queries: string[] = [];
  try {
    const db = drizzle({ client, logger: { logQuery: (query) => void queries.push(query) } });
    await drizzleMigrate(db, { migrationsFolder });
  } finally {
    await client.end();
  }
  const bookkeeping = [
    'CREATE SCHEMA IF NOT EXISTS "drizzle"',
    'CREATE TABLE IF NOT EXISTS "drizzle"',
    'select id, hash',
  ];
  return queries
    .map((q) => q.trim())
    .filter((q) => !bookkeeping.some((b) => q.startsWith(b)) && q !== 'begin' && q !== 'commit');
}

beforeAll(async () => {
  databases = new PostgresTenantDatabases({ serverUrl: serverUrl(), templateName });
  await databases.ensureTemplate();
});

afterAll(async () => {
  await withClient(serverUrl(), async (c) => {
    for (const name of schools) {
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(`${name}_owner`)}`);
    }
    for (const name of templates) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
  await databases.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the school schema in Drizzle (school-schema/)', () => {
  it('makes, migration by migration, the catalog the SQL files made: no table, column, constraint or index differs', async () => {
    const [sqlMade, drizzleMade] = [await freshDatabase('scs_test_sql'), await freshDatabase('scs_test_drizzle')];
    try {
      const sqlFiles = 4;
      expect(shipped).toHaveLength(sqlFiles);
      const differences: string[] = [];
      for (let n = 1; n <= sqlFiles; n++) {
        // The first n SQL files against the first n Drizzle migrations (a school at version n either way).
        await withClient(sqlMade.url, (c) => applySqlMigrations(c, copySqlFolder(tempDirs, n)));
        await withClient(drizzleMade.url, (c) => applyDrizzleMigrations(c, copyDrizzleFolder(tempDirs, { keep: n })));
        const [a, b] = [await withClient(sqlMade.url, schoolCatalog), await withClient(drizzleMade.url, schoolCatalog)];
        expect(a.length).toBeGreaterThan(300);
        differences.push(...catalogDifference(a, b).map((d) => `version ${n}: ${d}`));
        if (n === sqlFiles)
          console.log(
            `catalog: ${a.length} lines from the SQL files, ${b.length} from the Drizzle migrations, ` +
              `${differences.length} differences (${['table', 'column', 'constraint', 'index', 'sequence']
                .map((kind) => `${kind}: ${b.filter((l) => l.startsWith(`${kind} `)).length}`)
                .join(', ')})`,
          );
      }
      expect(differences).toEqual([]);
    } finally {
      await sqlMade.drop();
      await drizzleMade.drop();
    }
  }, 300_000);
});

describe("drizzle-orm's own migrate() against the schools SCS makes", () => {
  it('runs no statement in a school SCS provisioned and leaves its journal as it was', async () => {
    const name = schoolName();
    expect(await databases.create(name)).toMatchObject({ method: 'template' });
    const migrated = await databases.migrate(name, { owner: owner(name) });
    expect(migrated.schemaVersion).toBe('0004');
    const [journal, catalog] = [await journalOf(name), await catalogOf(name)];
    expect(journal.map((r) => [r.hash, Number(r.created_at)])).toEqual(shipped.map((m) => [m.hash, m.when]));

    const ran = await appMigrate(name, schoolSchemaDir());
    console.log(`drizzle-orm migrate() on a school SCS provisioned ran ${ran.length} statements`);
    expect(ran).toEqual([]);
    expect(await journalOf(name)).toEqual(journal);
    expect(await catalogOf(name)).toEqual(catalog);
  }, 60_000);

  it('runs none after SCS rolled out a new migration, and SCS runs none that drizzle-orm applied first', async () => {
    const name = schoolName();
    await databases.create(name);
    await databases.migrate(name, { owner: owner(name) });

    // SCS first: a rollout's migration, in the school's own transaction with its timeouts.
    const dir = copyDrizzleFolder(tempDirs);
    const scsFirst = addDrizzleMigration(dir, 'bus_stops_note', ['ALTER TABLE transport_routes ADD COLUMN note text']);
    const rollout = new PostgresTenantDatabases({ serverUrl: serverUrl(), migrationsDir: dir });
    templates.add(rollout.templateName);
    const timeouts = { lockTimeoutMs: 2000, statementTimeoutMs: 60_000 };
    expect(await rollout.migrate(name, { timeouts })).toMatchObject({ applied: [scsFirst], schemaVersion: '0005' });
    const journal = await journalOf(name);
    expect(journal).toHaveLength(5);
    const ran = await appMigrate(name, dir);
    console.log(`drizzle-orm migrate() after SCS's rollout of ${scsFirst} ran ${ran.length} statements`);
    expect(ran).toEqual([]);
    expect(await journalOf(name)).toEqual(journal);

    // The app first: drizzle-orm applies the next one; SCS then finds it applied.
    const appFirst = addDrizzleMigration(dir, 'app_notes', [
      'CREATE TABLE app_notes (id serial PRIMARY KEY, body text NOT NULL)',
      'CREATE INDEX app_notes_body_idx ON app_notes (body)',
    ]);
    const again = new PostgresTenantDatabases({ serverUrl: serverUrl(), migrationsDir: `${dir}/` });
    expect(await again.schemaStatus(name)).toMatchObject({ version: '0005', pending: [appFirst] });
    const appRan = await appMigrate(name, dir);
    expect(appRan).toEqual([
      'CREATE TABLE app_notes (id serial PRIMARY KEY, body text NOT NULL)',
      'CREATE INDEX app_notes_body_idx ON app_notes (body)',
      expect.stringMatching(/^insert into "drizzle"."__drizzle_migrations"/),
    ]);
    const afterApp = await journalOf(name);
    expect(afterApp).toHaveLength(6);
    expect(await again.schemaStatus(name)).toMatchObject({ version: '0006', pending: [], mismatched: [] });
    expect(await again.migrate(name, { timeouts })).toMatchObject({ applied: [], schemaVersion: '0006' });
    expect(await journalOf(name)).toEqual(afterApp);
  }, 60_000);
});

describe('schools made before Drizzle (schema_migrations)', () => {
  it("get their applied migrations recorded in Drizzle's table without running them, and are never migrated twice", async () => {
    const name = schoolName();
    await withClient(serverUrl(), (c) => c.query(`CREATE DATABASE ${name}`));
    await withClient(urlForDatabase(name), (c) => applySqlMigrations(c, SQL_SCHOOL_MIGRATIONS));
    const catalog = await catalogOf(name);
    expect(await databases.schemaStatus(name)).toEqual({
      databaseName: name,
      version: '0004',
      pending: [],
      mismatched: [],
      format: 'schema_migrations',
    });

    const moved = await databases.migrate(name, { owner: owner(name) });
    expect(moved).toMatchObject({ applied: [], adopted: shipped.map((m) => m.tag), schemaVersion: '0004' });
    expect(await catalogOf(name)).toEqual(catalog); // nothing ran
    expect((await journalOf(name)).map((r) => [r.hash, Number(r.created_at)])).toEqual(
      shipped.map((m) => [m.hash, m.when]),
    );
    expect(await appMigrate(name, schoolSchemaDir())).toEqual([]);
    const again = await databases.migrate(name);
    expect(again.adopted).toBeUndefined();
    expect(await journalOf(name)).toHaveLength(4);
  }, 60_000);

  it('one at an older version records what it had and runs only the rest, ending as a new school is', async () => {
    const name = schoolName();
    await withClient(serverUrl(), (c) => c.query(`CREATE DATABASE ${name}`));
    await withClient(urlForDatabase(name), (c) => applySqlMigrations(c, copySqlFolder(tempDirs, 2)));
    const moved = await databases.migrate(name);
    expect(moved).toMatchObject({
      adopted: shipped.slice(0, 2).map((m) => m.tag),
      applied: shipped.slice(2).map((m) => m.tag),
      schemaVersion: '0004',
    });
    const fresh = schoolName();
    await databases.create(fresh);
    expect(catalogDifference(await catalogOf(fresh), await catalogOf(name))).toEqual([]);
  }, 60_000);
});

describe('SCS applying a drizzle-kit folder', () => {
  it('lets one of two racing migrators apply, and rolls a failing migration back with the others of its school', async () => {
    const db = await freshDatabase('scs_test_drizzle_race');
    try {
      const dir = copyDrizzleFolder(tempDirs, { keep: 0 });
      const widgets = addDrizzleMigration(dir, 'widgets', ['CREATE TABLE widgets (id int PRIMARY KEY)']);
      const race = await Promise.all([1, 2].map(() => withClient(db.url, (c) => applyDrizzleMigrations(c, dir))));
      expect(race.map((r) => r.applied).sort((a, b) => b.length - a.length)).toEqual([[widgets], []]);

      const broken = copyDrizzleFolder(tempDirs, { from: dir });
      addDrizzleMigration(broken, 'gadgets', ['CREATE TABLE gadgets (id int)']);
      const bad = addDrizzleMigration(broken, 'broken', ['SELECT * FROM no_such_table']);
      await expect(withClient(db.url, (c) => applyDrizzleMigrations(c, broken))).rejects.toMatchObject({
        name: 'MigrationFailedError',
        file: `${bad}.sql`,
        applied: [],
      });
      const left = await withClient(db.url, async (c) => ({
        gadgets: (await c.query(`SELECT to_regclass('gadgets') AS t`)).rows[0].t,
        rows: (await c.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n,
      }));
      expect(left).toEqual({ gadgets: null, rows: 1 });
    } finally {
      await db.drop();
    }
  }, 60_000);
});
