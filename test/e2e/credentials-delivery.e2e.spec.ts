import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
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
