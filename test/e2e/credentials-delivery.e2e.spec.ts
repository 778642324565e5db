import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/databases.js';
import { KillablePostgres } from '../support/killable-postgres.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

/** The school app's key: it may read credentials and nothing else. */
const APP = 'school-app-secret-0123456789';

/** What a school app does with what SCS gave it: connect to its database, as itself, and read a table. */
async function connect(given: {
  host: string;
  port: number;
  database: string;
  role: string;
  password: string;
}): Promise<'connected' | string> {
  const client = new pg.Client({ ...given, user: given.role, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT count(*) FROM rooms');
    return 'connected';
  } catch (error) {
    return `refused: ${(error as { code?: string }).code ?? (error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `GET /school/:id/credentials` (the `api` delivery). The school databases are on a PostgreSQL server of
 * this suite's own that checks passwords (the shared test server trusts local connections), so a wrong or
 * old password is really refused.
 */
describe('credentials delivered by the API: a school app connects with what it is given, holding no credentials key', () => {
  let server: KillablePostgres;
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-creds-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await KillablePostgres.start('scs-pg-creds');
    central = await freshDatabase('scs_creds');
    env = {
      SCS_TENANT_SERVERS: `apps=${server.url('postgres')}`,
      SCS_CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('hex')}`,
      SCS_DATA_DIR: dataDir,
    };
    scs = await startScs({
      databaseUrl: central.url,
      dataDir,
      env: { ...env, SCS_API_KEYS: `school-app:${APP}:credentials:read`, SCS_SPARE_DATABASES: '0' },
    });
  }, 90_000);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
    await server?.remove();
  });

  it('gives the live school’s connection, records who read it, and follows a rotation', async () => {
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(scs, created.body.id, ['active'], 60_000);

    const first = await scs.request(`/school/${school.id}/credentials`, { key: APP });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toEqual({
      schoolId: school.id,
      server: 'apps',
      host: '127.0.0.1',
      port: server.port,
      database: school.databaseName,
      role: `${school.databaseName}_owner`,
      password: expect.any(String),
    });
    expect(await connect(first.body)).toBe('connected');
    expect(await connect({ ...first.body, password: 'not-the-password' })).toBe('refused: 28P01');

    // The app's key may do nothing else; and every read is in the school's history, without the password.
    expect((await scs.request(`/school/${school.id}`, { key: APP })).status).toBe(403);
    const history = (await scs.request(`/school/${school.id}/history`)).body.events;
    const reads = history.filter((e: { type: string }) => e.type === 'SchoolCredentialsRead');
    expect(reads).toHaveLength(1);
    expect(reads[0].data).toEqual({ actor: 'school-app', keyId: 'k1', generation: 0, readAt: expect.any(String) });
    expect(reads[0].metadata.actor).toBe('school-app');
    expect(JSON.stringify(history)).not.toContain(first.body.password);

    const rotated = await runCli(central.url, ['secrets', 'rotate', '--yes', '--only', school.id], env);
    expect([rotated.code, rotated.stderr]).toEqual([0, expect.any(String)]);

    const second = await scs.request(`/school/${school.id}/credentials`, { key: APP });
    expect(second.status).toBe(200);
    expect(second.body.password).not.toBe(first.body.password);
    expect(await connect(second.body)).toBe('connected');
    expect(await connect(first.body)).toBe('refused: 28P01'); // the old password no longer opens it
    const after = (await scs.request(`/school/${school.id}/history`)).body.events.filter(
      (e: { type: string }) => e.type === 'SchoolCredentialsRead',
    );
    expect(after.map((e: { data: { generation: number } }) => e.data.generation)).toEqual([0, 1]);
  }, 120_000);

  it('answers 404 for an unknown school, and 410 once it is deleted', async () => {
    const unknown = await scs.request(`/school/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/credentials`, {
      key: APP,
    });
    expect(unknown.status).toBe(404);
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    await waitForStatus(scs, created.body.id, ['active'], 60_000);
    await scs.request(`/school/${created.body.id}`, { method: 'DELETE' });
    await waitForStatus(scs, created.body.id, ['deleted'], 60_000);
    const gone = await scs.request(`/school/${created.body.id}/credentials`, { key: APP });
    expect([gone.status, gone.body.type]).toEqual([410, 'https://scs.syncad.in/problems/school-deleted']);
  }, 120_000);
});

/** What a school app (or its sidecar) reads from the folder SCS delivers to: libpq's variables. */
function readEnvFile(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return Object.fromEntries(lines.map((line) => /^([A-Z_]+)='(.*)'$/.exec(line)!.slice(1, 3)));
}

function connectWith(vars: Record<string, string>) {
  const { PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD } = vars;
  return connect({ host: PGHOST, port: Number(PGPORT), database: PGDATABASE, role: PGUSER, password: PGPASSWORD });
}

/**
 * `SCS_CREDENTIALS_DELIVERY=files`: the school app holds only its env file (no credentials key, no API key).
 * Rotation is the operator's: a new key first in SCS_CREDENTIALS_KEYS, then `secrets rotate --yes`.
 */
describe('credentials delivered as files: a school app connects with its env file, and follows a rotation', () => {
  let server: KillablePostgres;
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-creds-files-'));
  const credentialsDir = join(dataDir, 'school-credentials');
  const k1 = `k1:${randomBytes(32).toString('hex')}`;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await KillablePostgres.start('scs-pg-creds-files');
    central = await freshDatabase('scs_creds_files');
    env = {
      SCS_TENANT_SERVERS: `apps=${server.url('postgres')}`,
      SCS_CREDENTIALS_KEYS: k1,
      SCS_DATA_DIR: dataDir,
      SCS_CREDENTIALS_DELIVERY: 'files',
      SCS_CREDENTIALS_DIR: credentialsDir,
    };
    scs = await startScs({ databaseUrl: central.url, dataDir, env: { ...env, SCS_SPARE_DATABASES: '0' } });
  }, 90_000);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
    await server?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers <slug>.env (0600) on provisioning, the new password on rotation, and removes it on teardown', async () => {
    const body = schoolBody();
    const created = await scs.request('/school', { method: 'POST', json: body });
    const school = await waitForStatus(scs, created.body.id, ['active'], 60_000);
    const file = join(credentialsDir, `${body.slug}.env`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const first = readEnvFile(file);
    expect(first).toEqual({
      PGHOST: '127.0.0.1',
      PGPORT: String(server.port),
      PGDATABASE: school.databaseName,
      PGUSER: `${school.databaseName}_owner`,
      PGPASSWORD: expect.any(String),
      DATABASE_URL: expect.stringMatching(/^postgres:\/\//),
    });
    expect(await connectWith(first)).toBe('connected');
    expect(await connectWith({ ...first, PGPASSWORD: 'not-the-password' })).toBe('refused: 28P01');
    const viaUrl = new pg.Client({ connectionString: first.DATABASE_URL, connectionTimeoutMillis: 5000 });
    await viaUrl.connect();
    expect((await viaUrl.query('SELECT current_user AS who')).rows[0].who).toBe(first.PGUSER);
    await viaUrl.end();
    const registered = (await scs.request(`/school/${school.id}/history`)).body.events.find(
      (e: { type: string }) => e.type === 'SchoolRegistered',
    );
    expect(registered.data.credentials).toEqual({ delivery: 'files', location: file });

    // The operator adds a new key in front and rotates every school on the old one.
    const k2 = `k2:${randomBytes(32).toString('hex')}`;
    const rotated = await runCli(central.url, ['secrets', 'rotate', '--yes'], {
      ...env,
      SCS_CREDENTIALS_KEYS: `${k2},${k1}`,
    });
    expect([rotated.code, rotated.stdout]).toEqual([0, expect.stringContaining('rotated 1 schools to key "k2"')]);

    const second = readEnvFile(file);
    expect(second.PGPASSWORD).not.toBe(first.PGPASSWORD);
    expect(second.DATABASE_URL).not.toBe(first.DATABASE_URL);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(credentialsDir)).toEqual([`${body.slug}.env`]); // no temporary file left behind
    expect(await connectWith(second)).toBe('connected');
    expect(await connectWith(first)).toBe('refused: 28P01'); // the old password no longer opens it
    const history = (await scs.request(`/school/${school.id}/history`)).body.events;
    const rotation = history.find((e: { type: string }) => e.type === 'SchoolCredentialsRotated');
    expect(rotation.data).toMatchObject({ keyId: 'k2', credentials: { delivery: 'files', location: file } });
    expect(JSON.stringify(history)).not.toContain(second.PGPASSWORD);

    await scs.request(`/school/${school.id}`, { method: 'DELETE' });
    await waitForStatus(scs, school.id, ['deleted'], 60_000);
    expect(existsSync(file)).toBe(false);
    const unregistered = (await scs.request(`/school/${school.id}/history`)).body.events.find(
      (e: { type: string }) => e.type === 'SchoolUnregistered',
    );
    expect(unregistered.data.credentials).toEqual({ delivery: 'files', location: file, existed: true });
  }, 180_000);
});
