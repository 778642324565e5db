import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { SchoolCredentials } from '../../src/adapters/secrets/credentials.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, query as sql, serverUrl } from '../support/databases.js';
import { connectsAs, isRolePassword } from '../support/role-password.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';
import { startSecondServer, stopSecondServer } from '../support/test-postgres.js';

/**
 * Two tenant servers: `one` is the test server (which also holds the central database), `two` the second
 * embedded server the test support starts. Every school run_migrations fails once (SCS_FAULTS) and retries a
 * second later, which leaves a window, after its database was placed and made, in which `two` is stopped.
 */
const OLD = randomBytes(32);
const NEW = randomBytes(32);
const ring = new SchoolCredentials([
  { id: 'new', key: NEW },
  { id: 'old', key: OLD },
]);

describe('tenant servers: school databases placed across two PostgreSQL servers', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  const two = () => process.env.SCS_TEST_SECOND_DATABASE_URL!;
  const servers = () => `one=${serverUrl()},two=${two()}`;
  const keys = (...list: Array<[string, Buffer]>) => list.map(([id, key]) => `${id}:${key.toString('hex')}`).join(',');
  let credentialsKeys = keys(['old', OLD]);
  // Connections delivered as files (SCS_CREDENTIALS_DELIVERY): a move delivers the new server's.
  const credentialsDir = mkdtempSync(join(tmpdir(), 'scs-srv-creds-'));
  const env = () => ({
    SCS_TENANT_SERVERS: servers(),
    SCS_CREDENTIALS_KEYS: credentialsKeys,
    SCS_CREDENTIALS_DELIVERY: 'files',
    SCS_CREDENTIALS_DIR: credentialsDir,
  });
  const delivered = (slug: string) =>
    Object.fromEntries(
      readFileSync(join(credentialsDir, `${slug}.env`), 'utf8')
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('#')) // SCS's mark
        .map((line) => /^([A-Z_]+)='(.*)'$/.exec(line)!.slice(1, 3)),
    );
  const cli = (...args: string[]) => runCli(central.url, args, env());
  const post = async () => (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
  const inDatabase = (server: string, name: string) =>
    Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const owned = async (url: string) =>
    (
      await sql<{ datname: string }>(
        url,
        `SELECT datname FROM pg_database WHERE shobj_description(oid, 'pg_database') = $1`,
        [`scs-owner:${central.name}`],
      )
    ).map((r) => r.datname);

  beforeAll(async () => {
    central = await freshDatabase('scs_srv');
    scs = await startScs({
      databaseUrl: central.url,
      env: {
        ...env(),
        SCS_CONCURRENCY: '8',
        SCS_FAULTS: 'run_migrations:flaky:1',
        SCS_RETRY_BASE_MS: '1500',
        SCS_RETRY_MAX_MS: '2000',
        SCS_RETRY_MAX_ATTEMPTS: '40',
      },
    });
  });
  afterAll(async () => {
    await scs?.stop();
    await startSecondServer().catch(() => undefined);
    for (const name of await owned(two()).catch(() => [] as string[])) {
      await sql(two(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql(two(), `DROP ROLE IF EXISTS ${name}_owner`);
    }
    await central?.drop();
    rmSync(credentialsDir, { recursive: true, force: true });
  });

  it('spreads 40 schools evenly, each database on the server its events, API and registry row name', async () => {
    const ids = await Promise.all(Array.from({ length: 40 }, post));
    const schools = await Promise.all(ids.map((id) => waitForStatus(scs, id, ['active'], 120_000)));
    const on = (server: string) => schools.filter((s) => s.server === server);
    expect(on('one')).toHaveLength(20);
    expect(on('two')).toHaveLength(20);
    expect((await owned(serverUrl())).sort()).toEqual(
      on('one')
        .map((s) => s.databaseName)
        .sort(),
    );
    expect((await owned(two())).sort()).toEqual(
      on('two')
        .map((s) => s.databaseName)
        .sort(),
    );
    type Row = { school_id: string; server: string };
    const registry = await sql<Row>(central.url, 'SELECT school_id, server FROM school_registry');
    expect(Object.fromEntries(registry.map((r) => [r.school_id, r.server]))).toEqual(
      Object.fromEntries(schools.map((s) => [s.id, s.server])),
    );
    const history = (await scs.request(`/school/${on('two')[0].id}/history`)).body.events;
    expect(history.find((e: { type: string }) => e.type === 'DatabaseCreated').data.server).toBe('two');
    const ready = (await scs.request('/ready', { key: null })).body;
    expect(ready.servers).toEqual([
      expect.objectContaining({ name: 'one', state: 'open', schools: 20, reachable: true }),
      expect.objectContaining({ name: 'two', state: 'open', schools: 20, reachable: true }),
    ]);
    // Each server keeps its spare template clones (SCS_SPARE_DATABASES, default 2) ready again after it.
    const spares = await waitFor('2 spares on each server', async () => {
      const servers = (await scs.request('/ready', { key: null })).body.servers as Array<{ spares?: number }>;
      if (!servers.every((s) => s.spares === 2)) throw new Error(`servers: ${JSON.stringify(servers)}`);
      return servers.map((s) => s.spares);
    });
    expect(spares).toEqual([2, 2]);
  }, 180_000);

  it('places nothing on a draining server, and lists it as draining', async () => {
    expect((await cli('servers', 'drain', 'two')).code).toBe(0);
    try {
      const ids = await Promise.all(Array.from({ length: 4 }, post));
      const schools = await Promise.all(ids.map((id) => waitForStatus(scs, id, ['active'], 60_000)));
      expect(schools.map((s) => s.server)).toEqual(['one', 'one', 'one', 'one']);
      const list = JSON.parse((await cli('servers', 'list', '--json')).stdout).servers;
      expect(list).toEqual([
        expect.objectContaining({ name: 'one', state: 'open', schools: 24 }),
        expect.objectContaining({ name: 'two', state: 'draining', schools: 20 }),
      ]);
    } finally {
      expect((await cli('servers', 'open', 'two')).code).toBe(0);
    }
  }, 90_000);

  it('with a server stopped, provisions on the other; one placed on it finishes when it returns', async () => {
    const waiting = await post(); // one has 24, two 20: placed on two
    await waitFor(
      'its database made and run_migrations waiting for its retry',
      async () => {
        const school = (await scs.request(`/school/${waiting}`)).body;
        const step = school.steps?.find((s: { name: string }) => s.name === 'run_migrations');
        return school.server === 'two' && step?.status === 'retrying' ? true : undefined;
      },
      30_000,
      50,
    );
    await stopSecondServer();
    // A probe's answer stands for a second: once SCS has seen `two` down, new schools go to `one`.
    await waitFor(
      '/ready to report two unreachable',
      async () => {
        const servers = (await scs.request('/ready', { key: null })).body.servers ?? [];
        return servers.some((s: { name: string; reachable: boolean }) => s.name === 'two' && !s.reachable) || undefined;
      },
      10_000,
    );
    const others = await Promise.all(Array.from({ length: 3 }, post));
    const placed = await Promise.all(others.map((id) => waitForStatus(scs, id, ['active'], 60_000)));
    expect(placed.map((s) => s.server)).toEqual(['one', 'one', 'one']);
    const stuck = (await scs.request(`/school/${waiting}`)).body;
    expect(stuck.status).toBe('provisioning');
    expect(stuck.steps.find((s: { name: string }) => s.name === 'run_migrations').attempts).toBeGreaterThan(1);
    expect((await scs.request('/ready', { key: null })).status).toBe(200);

    await startSecondServer();
    const finished = await waitForStatus(scs, waiting, ['active'], 60_000);
    expect(finished.server).toBe('two');
    expect(await owned(two())).toContain(finished.databaseName);
  }, 150_000);

  it('tears a school down on its own server, archiving it first', async () => {
    const list = (await scs.request('/schools?status=active&limit=100')).body;
    const school = list.items.find((s: { server: string }) => s.server === 'two');
    await scs.request(`/school/${school.id}`, { method: 'DELETE' });
    await waitForStatus(scs, school.id, ['deleted'], 60_000);
    const events = (await scs.request(`/school/${school.id}/history`)).body.events;
    const dropped = events.find((e: { type: string }) => e.type === 'DatabaseDropped').data;
    const archive = expect.objectContaining({ bytes: expect.any(Number) });
    expect(dropped).toMatchObject({ server: 'two', existed: true, archive });
    expect(await owned(two())).not.toContain(school.databaseName);
  }, 90_000);

  it('moves a school with its data: copied to two, API and registry switched, the old database dropped', async () => {
    const school = (await scs.request('/schools?status=active&limit=100')).body.items.find(
      (s: { server: string }) => s.server === 'one',
    );
    const on = (server: string) => inDatabase(server === 'one' ? serverUrl() : two(), school.databaseName);
    const insert = (name: string, year: number) =>
      `INSERT INTO academic_years (name, starts_on, ends_on) ` +
      `VALUES ('${name}', '${year}-06-01', '${year + 1}-03-31')`;
    await sql(on('one'), insert('2026-27', 2026));
    expect((await cli('school', 'move', school.id, '--to', 'one', '--yes')).code).toBe(1); // already there

    const moved = await cli('school', 'move', school.id, '--to', 'two', '--yes');
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toMatch(/from one to two: \d+ rows in \d+ tables, down \d+ ms; old database dropped/);
    expect(moved.code).toBe(0);
    expect(await sql(on('two'), 'SELECT id, name FROM academic_years')).toEqual([{ id: 1, name: '2026-27' }]);
    // The identity sequence came along: the next row does not collide.
    await sql(on('two'), insert('2027-28', 2027));
    expect((await sql(on('two'), 'SELECT max(id) AS id FROM academic_years'))[0].id).toBe(2);
    expect((await scs.request(`/school/${school.id}`)).body.server).toBe('two');
    const row = 'SELECT server FROM school_registry WHERE school_id = $1';
    expect(await sql(central.url, row, [school.id])).toEqual([{ server: 'two' }]);
    expect(await owned(serverUrl())).not.toContain(school.databaseName);
    expect(await owned(two())).toContain(school.databaseName);
    const role = `${school.databaseName}_owner`;
    const login = 'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1';
    expect(await sql(two(), login, [role])).toEqual([{ rolcanlogin: true }]);
    expect(await sql(serverUrl(), 'SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).toEqual([]);
    const events = (await scs.request(`/school/${school.id}/history`)).body.events;
    expect(events.slice(-2).map((e: { type: string }) => e.type)).toEqual(['SchoolMoveStarted', 'SchoolMoved']);
    // The school app's env file now names `two`, and opens the moved database there.
    const file = join(credentialsDir, `${school.slug}.env`);
    expect(events.at(-1).data.credentials).toEqual({ delivery: 'files', location: file });
    const given = delivered(school.slug);
    expect(`${given.PGHOST}:${given.PGPORT}`).toBe(new URL(two()).host);
    const client = new pg.Client({ connectionString: given.DATABASE_URL });
    await client.connect();
    expect((await client.query('SELECT count(*)::int AS n FROM academic_years')).rows).toEqual([{ n: 2 }]);
    await client.end();
  }, 90_000);

  it("rotates credentials where each school lives: the registry row holds its role's password there", async () => {
    credentialsKeys = keys(['new', NEW], ['old', OLD]);
    const rotated = await cli('secrets', 'rotate', '--yes');
    expect(rotated.stderr).not.toMatch(/failed/);
    expect(rotated.code).toBe(0);
    const rows = await sql<{
      school_id: string;
      server: string;
      database_name: string;
      database_role: string;
      database_password_encrypted: string;
    }>(central.url, 'SELECT * FROM school_registry');
    expect(new Set(rows.map((r) => r.server))).toEqual(new Set(['one', 'two']));
    const events = await sql(central.url, `SELECT 1 FROM scs_events WHERE type = 'SchoolCredentialsRotated'`);
    expect(events).toHaveLength(rows.length); // every live school, wherever it is
    for (const row of rows) {
      expect(row.database_password_encrypted.startsWith('v2:new:')).toBe(true);
      const server = row.server === 'one' ? serverUrl() : two();
      const password = ring.decrypt(row.database_password_encrypted);
      expect(await isRolePassword(row.database_role, password, server)).toBe(true);
      expect(await connectsAs(row.database_role, password, row.database_name, server)).toBe(true);
    }
  }, 120_000);

  it('the reconciler finds 0 orphans across both servers, and one left on the second server', async () => {
    const clean = JSON.parse((await cli('reconcile', '--json')).stdout);
    expect(clean.findings).toEqual([]);
    expect(clean.checked.databases).toBe((await owned(serverUrl())).length + (await owned(two())).length);

    const stray = `school_${randomBytes(16).toString('hex')}`;
    await sql(two(), `CREATE DATABASE ${stray}`);
    await sql(two(), `COMMENT ON DATABASE ${stray} IS 'scs-owner:${central.name}'`);
    const found = await cli('reconcile', '--json');
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout).findings).toEqual([
      expect.objectContaining({ kind: 'orphan', resource: 'database', name: `two/${stray}` }),
    ]);
    expect((await cli('reconcile', '--fix', '--yes')).code).toBe(0); // every finding fixed
    expect(await owned(two())).not.toContain(stray);
  }, 90_000);
});
