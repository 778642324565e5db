import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSpares, freshDatabase, query as sql, urlForDatabase } from '../support/databases.js';
import { addDrizzleMigration, copyDrizzleFolder } from '../support/drizzle-folders.js';
import { API_KEY, schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHOOLS = 20;
// The fifth migration of the journal (school schema version 0005), as drizzle-kit names it.
const NEW_MIGRATION = '0004_student_nickname';
// Runs twice in one database only by failing: ADD COLUMN and CREATE INDEX have no IF NOT EXISTS.
const NEW_SQL = [
  'ALTER TABLE students ADD COLUMN nickname text;',
  'CREATE INDEX students_nickname_idx ON students (nickname);',
];
/** The school's database has recorded the journal's `n`th migration (as drizzle-orm's migrator does). */
const recorded = async (database: string, n: number) =>
  (await sql(urlForDatabase(database), 'SELECT hash FROM drizzle.__drizzle_migrations ORDER BY created_at')).length >=
  n;

interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

describe('school schema rollout: every live school upgraded once, failures isolated, resumable', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let dir: string;
  let dataDir: string;
  const ids: string[] = [];
  const env = () => ({ SCS_SCHOOL_MIGRATIONS_DIR: dir, SCS_POST_RATE_LIMIT_PER_MINUTE: '1000' });
  const schoolDb = async (id: string) => (await scs.request(`/school/${id}`)).body.databaseName as string;

  // The CLI as an operator runs it, on the same central database, data folder and migrations folder as SCS.
  const runCli = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<CliResult>((done) => {
      const cliEnv = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: central.url,
        SCS_API_KEY: API_KEY,
        NODE_ENV: 'test',
        SCS_DATA_DIR: dataDir,
        SCS_RETRY_BASE_MS: '50',
        SCS_RETRY_MAX_MS: '200',
        SCS_RETRY_MAX_ATTEMPTS: '3',
        ...env(),
        ...extra,
      };
      const options = { cwd: ROOT, env: cliEnv };
      execFile(process.execPath, ['dist/src/cli/main.js', ...args], options, (error, stdout, stderr) => {
        const e = error as (Error & { code?: number; signal?: string }) | null;
        done({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      });
    });
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['schools', 'migrate', '--yes', ...args], extra);
  const history = async (id: string) =>
    (await scs.request(`/school/${id}/history`)).body.events as Array<{ type: string; data: any }>;
  const ofType = async (id: string, type: string) => (await history(id)).filter((e) => e.type === type);

  beforeAll(async () => {
    central = await freshDatabase('scs_roll');
    dir = copyDrizzleFolder([]);
    scs = await startScs({ databaseUrl: central.url, env: env() });
    dataDir = scs.dataDir;
    for (let i = 0; i < SCHOOLS; i++)
      ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    for (const id of ids) await waitForStatus(scs, id, ['active'], 60_000);
  }, 180_000);

  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
    const template = `scs_school_template_${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12)}`;
    await sql(urlForDatabase('postgres'), `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    await dropSpares(template);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new migration ships: SCS restarts on it, dry-run lists all 20 schools and changes nothing', async () => {
    expect((await scs.request('/schools?schemaVersion=0004')).body.total).toBe(SCHOOLS);
    expect(addDrizzleMigration(dir, 'student_nickname', NEW_SQL)).toBe(NEW_MIGRATION);
    // The first school's database already has the index name: its migration fails (fault injection in the database).
    await sql(urlForDatabase(await schoolDb(ids[0])), 'CREATE INDEX students_nickname_idx ON students (id)');
    await scs.stop();
    scs = await startScs({ databaseUrl: central.url, dataDir, env: env() });

    const dry = await cli(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${SCHOOLS} school(s) behind 0005; nothing was changed`);
    expect(dry.stdout.split('\n').filter((l) => l.includes(`would run ${NEW_MIGRATION}`))).toHaveLength(SCHOOLS);
    expect(await recorded(await schoolDb(ids[1]), 5)).toBe(false);
  }, 60_000);

  it('rejects bad options naming them, and GET /schools a bad schemaVersion with a 400 naming the field', async () => {
    const bad = await cli(['--canary', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--canary <n>.*'many' is invalid/);
    const res = await scs.request('/schools?schemaVersion=latest');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'schemaVersion' })]);
  });

  it('the canary stops at a failing school: no school past the canary is started', async () => {
    const result = await cli(['--canary', '2']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('stopped: a canary school failed');
    expect(await ofType(ids[0], 'SchoolSchemaUpgradeFailed')).toHaveLength(3);
    for (const id of ids.slice(2)) expect(await ofType(id, 'SchoolSchemaUpgraded')).toHaveLength(0);
  }, 60_000);

  it('SIGKILL mid-rollout, then resume: 19 upgraded once, the failing one marked, a new school current', async () => {
    const crashed = await cli([], { SCS_FAULTS: 'upgrade_schema:crash' });
    expect(crashed.signal).toBe('SIGKILL');

    const resumed = cli([]);
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const result = await resumed;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/upgraded, 1 failed, 0 not started/);
    expect(result.stderr).toMatch(/upgraded \d+ \| failed 1 \| left 0/);

    const fresh = await waitForStatus(scs, created.body.id, ['active'], 60_000);
    expect(fresh.schemaVersion).toBe('0005');
    const listed = await waitFor('19 upgraded schools and the new one in the read model', async () => {
      const res = await scs.request('/schools?schemaVersion=0005&limit=500');
      return res.body.total === SCHOOLS ? res.body : undefined;
    });
    expect(listed.items.map((s: any) => s.id).sort()).toEqual([...ids.slice(1), fresh.id].sort());

    for (const id of ids.slice(1)) {
      const upgrades = await ofType(id, 'SchoolSchemaUpgraded');
      expect(upgrades).toHaveLength(1);
      expect(upgrades[0].data).toMatchObject({ from: '0004', to: '0005', migrations: [NEW_MIGRATION] });
      expect(await ofType(id, 'SchoolSchemaUpgradeFailed')).toHaveLength(0);
      expect(await recorded(await schoolDb(id), 5)).toBe(true);
    }
    const failing = (await scs.request(`/school/${ids[0]}`)).body;
    expect(failing).toMatchObject({
      schemaVersion: '0004',
      schemaUpgrade: { status: 'failed', migration: `${NEW_MIGRATION}.sql`, permanent: false },
    });
    // 3 in the canary run, up to 3 before the crash, 3 on resume: every attempt is in the stream.
    expect(failing.schemaUpgrade.attempts).toBe((await ofType(ids[0], 'SchoolSchemaUpgradeFailed')).length);
    expect(failing.schemaUpgrade.attempts).toBeGreaterThanOrEqual(6);
    expect(failing.schemaUpgrade.error).toMatch(/students_nickname_idx.*already exists/);
    expect(await recorded(failing.databaseName, 5)).toBe(false);
  }, 120_000);

  it('SCS_AUTO_MIGRATE_SCHOOLS=true: the service rolls the next migration out at start-up', async () => {
    addDrizzleMigration(dir, 'rollout_notes', ['CREATE TABLE rollout_notes (id int PRIMARY KEY, body text);']);
    await scs.stop();
    scs = await startScs({ databaseUrl: central.url, dataDir, env: { ...env(), SCS_AUTO_MIGRATE_SCHOOLS: 'true' } });
    const listed = await waitFor(
      'every upgradable school on 0006',
      async () => {
        const res = await scs.request('/schools?schemaVersion=0006&limit=500');
        return res.body.total === SCHOOLS ? res.body : undefined;
      },
      60_000,
    );
    expect(listed.items.map((s: any) => s.id)).not.toContain(ids[0]); // still failing at 0005, still 0004
    const upgrades = await ofType(ids[1], 'SchoolSchemaUpgraded');
    expect(upgrades.map((e) => [e.data.from, e.data.to])).toEqual([
      ['0004', '0005'],
      ['0005', '0006'],
    ]);
    const summary = () => (scs.logs.join('').includes('schema rollout to 0006:') ? true : undefined);
    await waitFor('the start-up rollout summary', async () => summary());
    expect(scs.logs.join('')).toMatch(/schema rollout to 0006: 20 upgraded, 1 failed of 21/);
  }, 120_000);

  it('reconcile reports schema drift and checksum mismatches; a changed applied migration is refused', async () => {
    const reconcile = async () => JSON.parse((await runCli(['reconcile', '--json'])).stdout);
    expect((await reconcile()).findings.filter((f: any) => f.resource === 'schema')).toEqual([]);

    const [edited, ahead] = [await schoolDb(ids[1]), await schoolDb(ids[2])];
    const editFirst = `UPDATE drizzle.__drizzle_migrations SET hash = 'edited' WHERE id = 1`;
    await sql(urlForDatabase(edited), editFirst);
    // A migration this SCS's folder does not have (an app ahead of it): the database is one further on.
    await sql(
      urlForDatabase(ahead),
      `INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('x', ${Date.now() + 86_400_000})`,
    );
    const findings = (await reconcile()).findings.filter((f: any) => f.resource === 'schema');
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'drift',
          name: edited,
          schoolId: ids[1],
          detail: expect.stringMatching(/checksum mismatch: 0000_people_and_academics changed/),
        }),
        expect.objectContaining({
          kind: 'drift',
          name: ahead,
          schoolId: ids[2],
          detail: 'the events say schema 0006, the database is at 0007',
        }),
      ]),
    );
    expect(findings).toHaveLength(2);

    await sql(urlForDatabase(await schoolDb(ids[0])), editFirst);
    const before = (await ofType(ids[0], 'SchoolSchemaUpgradeFailed')).length;
    const refused = await cli(['--only', ids[0]]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/changed after it was applied/);
    const failures = await ofType(ids[0], 'SchoolSchemaUpgradeFailed');
    expect(failures.at(-1)!.data).toMatchObject({
      attempt: before + 1,
      permanent: true,
      migration: expect.stringMatching(/^0000_/),
    });
    expect(failures).toHaveLength(before + 1); // one attempt: a checksum refusal is not retried
  }, 60_000);
});
