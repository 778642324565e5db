import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
  const values = lines.filter((line) => !line.startsWith('#')); // SCS's mark: a comment dotenv and a shell skip
  return Object.fromEntries(values.map((line) => /^([A-Z_]+)='(.*)'$/.exec(line)!.slice(1, 3)));
}

function connectWith(vars: Record<string, string>) {
  const { PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD } = vars;
  return connect({ host: PGHOST, port: Number(PGPORT), database: PGDATABASE, role: PGUSER, password: PGPASSWORD });
}

/** A suite's own password-checking PostgreSQL server, central database and SCS, with `settings` added. */
async function startWithDelivery(label: string, dataDir: string, settings: Record<string, string>) {
  const server = await KillablePostgres.start(`scs-pg-creds-${label}`);
  const central = await freshDatabase(`scs_creds_${label}`);
  const k1 = `k1:${randomBytes(32).toString('hex')}`;
  const env = {
    SCS_TENANT_SERVERS: `apps=${server.url('postgres')}`,
    SCS_CREDENTIALS_KEYS: k1,
    SCS_DATA_DIR: dataDir,
    ...settings,
  };
  const scs = await startScs({ databaseUrl: central.url, dataDir, env: { ...env, SCS_SPARE_DATABASES: '0' } });
  return {
    server,
    scs,
    /** What an operator does: a new key first in the list, then `secrets rotate --yes` (every school on k1). */
    rotateToNewKey: () => {
      env.SCS_CREDENTIALS_KEYS = `k2:${randomBytes(32).toString('hex')},${k1}`; // the CLI's from now on
      return runCli(central.url, ['secrets', 'rotate', '--yes'], env);
    },
    /** `reconcile --json` (and `--fix --yes` when asked), with the keys the CLI has now: its findings. */
    reconcile: async (...args: string[]) => {
      const result = await runCli(central.url, ['reconcile', '--json', ...args], env);
      if (!result.stdout.trim()) throw new Error(`reconcile exited ${result.code}:\n${result.stderr}`);
      return JSON.parse(result.stdout).findings as Array<Record<string, unknown>>;
    },
    stop: async () => {
      await scs.stop();
      await central.drop();
      await server.remove();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
type DeliverySuite = Awaited<ReturnType<typeof startWithDelivery>>;

/**
 * `SCS_CREDENTIALS_DELIVERY=files`: the school app holds only its env file (no credentials key, no API key).
 * Rotation is the operator's: a new key first in SCS_CREDENTIALS_KEYS, then `secrets rotate --yes`.
 */
describe('credentials delivered as files: a school app connects with its env file, and follows a rotation', () => {
  let suite: DeliverySuite;
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-creds-files-'));
  const credentialsDir = join(dataDir, 'school-credentials');

  beforeAll(async () => {
    suite = await startWithDelivery('files', dataDir, {
      SCS_CREDENTIALS_DELIVERY: 'files',
      SCS_CREDENTIALS_DIR: credentialsDir,
    });
  }, 90_000);
  afterAll(() => suite?.stop());

  it('delivers <slug>.env (0600) on provisioning, the new password on rotation, and removes it on teardown', async () => {
    const body = schoolBody();
    const created = await suite.scs.request('/school', { method: 'POST', json: body });
    const school = await waitForStatus(suite.scs, created.body.id, ['active'], 60_000);
    const file = join(credentialsDir, `${body.slug}.env`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const first = readEnvFile(file);
    expect(first).toEqual({
      PGHOST: '127.0.0.1',
      PGPORT: String(suite.server.port),
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
    const registered = (await suite.scs.request(`/school/${school.id}/history`)).body.events.find(
      (e: { type: string }) => e.type === 'SchoolRegistered',
    );
    expect(registered.data.credentials).toEqual({ delivery: 'files', location: file });

    // The operator adds a new key in front and rotates every school on the old one.
    const rotated = await suite.rotateToNewKey();
    expect([rotated.code, rotated.stdout]).toEqual([0, expect.stringContaining('rotated 1 schools to key "k2"')]);

    const second = readEnvFile(file);
    expect(second.PGPASSWORD).not.toBe(first.PGPASSWORD);
    expect(second.DATABASE_URL).not.toBe(first.DATABASE_URL);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(credentialsDir)).toEqual([`${body.slug}.env`]); // no temporary file left behind
    expect(await connectWith(second)).toBe('connected');
    expect(await connectWith(first)).toBe('refused: 28P01'); // the old password no longer opens it
    const history = (await suite.scs.request(`/school/${school.id}/history`)).body.events;
    const rotation = history.find((e: { type: string }) => e.type === 'SchoolCredentialsRotated');
    expect(rotation.data).toMatchObject({ keyId: 'k2', credentials: { delivery: 'files', location: file } });
    expect(JSON.stringify(history)).not.toContain(second.PGPASSWORD);

    // The reconciler: the school's file is accounted for; a marked file of no registered school is an orphan
    // that --fix removes; a file SCS did not write is foreign and stays; a missing file is drift.
    expect(await suite.reconcile()).toEqual([]);
    const mark = readFileSync(file, 'utf8').split('\n')[0];
    expect(mark).toMatch(new RegExp(`^# scs-owner=\\S+ scs-school=${school.id}$`));
    const ghostId = '00000000-0000-4000-8000-00000000abcd';
    const ghost = join(credentialsDir, 'ghost.env');
    writeFileSync(ghost, `${mark.replace(school.id, ghostId)}\nPGHOST='x'\n`, { mode: 0o600 });
    const byHand = join(credentialsDir, 'by-hand.env');
    writeFileSync(byHand, "PGHOST='x'\n", { mode: 0o600 });
    const foreign = { kind: 'foreign', resource: 'credentials', name: byHand };
    const orphan = { kind: 'orphan', resource: 'credentials', name: ghost, schoolId: ghostId };
    expect(await suite.reconcile()).toEqual([expect.objectContaining(foreign), expect.objectContaining(orphan)]);
    expect(await suite.reconcile('--fix', '--yes')).toEqual([
      expect.objectContaining(foreign),
      expect.objectContaining({ ...orphan, fixed: true }),
    ]);
    expect([existsSync(ghost), existsSync(byHand)]).toEqual([false, true]);
    rmSync(byHand);
    renameSync(file, `${file}.moved`);
    expect(await suite.reconcile()).toEqual([
      expect.objectContaining({ kind: 'drift', resource: 'credentials', name: body.slug, schoolId: school.id }),
    ]);
    renameSync(`${file}.moved`, file);

    await suite.scs.request(`/school/${school.id}`, { method: 'DELETE' });
    await waitForStatus(suite.scs, school.id, ['deleted'], 60_000);
    expect(existsSync(file)).toBe(false);
    const unregistered = (await suite.scs.request(`/school/${school.id}/history`)).body.events.find(
      (e: { type: string }) => e.type === 'SchoolUnregistered',
    );
    expect(unregistered.data.credentials).toEqual({ delivery: 'files', location: file, existed: true });
  }, 180_000);
});

/**
 * A stand-in for Secrets Manager's JSON API on loopback (AWS_ENDPOINT_URL_SECRETS_MANAGER): the secrets SCS
 * creates, puts and deletes, and GetSecretValue for the school app; every request kept, in order.
 */
async function fakeSecretsManager() {
  const secrets = new Map<string, { value: string; versions: number; deletion?: number; tags?: unknown }>();
  const requests: Array<[string, Record<string, unknown>]> = [];
  const fail = (res: ServerResponse, type: string) =>
    res
      .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
      .end(JSON.stringify({ __type: type, message: type }));
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target']).replace('secretsmanager.', '');
      const input = JSON.parse(body || '{}');
      requests.push([action, input]);
      const name = (input.Name ?? input.SecretId) as string;
      const secret = secrets.get(name);
      const ok = (out: object) =>
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ Name: name, ...out }));
      if (action === 'ListSecrets') {
        const listed = [...secrets].filter(([, s]) => s.deletion === undefined);
        const SecretList = listed.map(([Name, s]) => ({ Name, Tags: s.tags }));
        return res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ SecretList }));
      }
      if (action === 'CreateSecret') {
        if (secret) return fail(res, 'ResourceExistsException');
        secrets.set(name, { value: input.SecretString, versions: 1, tags: input.Tags });
        return ok({ VersionId: input.ClientRequestToken });
      }
      if (!secret || secret.deletion !== undefined) return fail(res, 'ResourceNotFoundException');
      if (action === 'PutSecretValue') {
        Object.assign(secret, { value: input.SecretString, versions: secret.versions + 1 });
        return ok({ VersionId: input.ClientRequestToken });
      }
      if (action === 'GetSecretValue') return ok({ SecretString: secret.value });
      if (action === 'DeleteSecret') {
        secret.deletion = input.RecoveryWindowInDays;
        return ok({ DeletionDate: Date.now() / 1000 });
      }
      fail(res, 'InvalidRequestException');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, secrets, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * `SCS_CREDENTIALS_DELIVERY=aws-secrets-manager`: the school app holds only read access to its own secret (here
 * an SDK client pointed at the stand-in), no credentials key and no SCS API key.
 */
describe('credentials delivered to Secrets Manager: a school app connects with its secret, and follows a rotation', () => {
  let suite: DeliverySuite;
  let sm: Awaited<ReturnType<typeof fakeSecretsManager>>;
  const aws = { AWS_REGION: 'ap-south-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

  beforeAll(async () => {
    sm = await fakeSecretsManager();
    suite = await startWithDelivery('sm', mkdtempSync(join(tmpdir(), 'scs-creds-sm-')), {
      ...aws,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      SCS_CREDENTIALS_DELIVERY: 'aws-secrets-manager',
      SCS_CREDENTIALS_SECRET_PREFIX: 'test/schools',
      SCS_CREDENTIALS_RECOVERY_DAYS: '10',
    });
  }, 90_000);
  afterAll(async () => {
    await suite?.stop();
    await sm?.close();
  });

  it('creates the school’s secret, puts the new password on rotation, and deletes it with a recovery window', async () => {
    const created = await suite.scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(suite.scs, created.body.id, ['active'], 60_000);
    const name = `test/schools/${school.id}`;
    // The school app: its own secret, read through the SDK as any app would.
    const app = new SecretsManagerClient({
      ...{ region: aws.AWS_REGION, endpoint: sm.url },
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    });
    const read = async () => {
      const { SecretString } = await app.send(new GetSecretValueCommand({ SecretId: name }));
      const s = JSON.parse(SecretString!);
      return { host: s.host, port: s.port, database: s.dbname, role: s.username, password: s.password as string };
    };

    const first = await read();
    expect(await suite.reconcile()).toEqual([]); // the secret, listed with its tags, is the school's
    expect(first).toEqual({
      host: '127.0.0.1',
      port: suite.server.port,
      database: school.databaseName,
      role: `${school.databaseName}_owner`,
      password: expect.any(String),
    });
    expect(await connect(first)).toBe('connected');
    expect(await connect({ ...first, password: 'not-the-password' })).toBe('refused: 28P01');

    const rotated = await suite.rotateToNewKey();
    expect([rotated.code, rotated.stdout]).toEqual([0, expect.stringContaining('rotated 1 schools to key "k2"')]);
    const second = await read();
    expect(second.password).not.toBe(first.password);
    expect(await connect(second)).toBe('connected');
    expect(await connect(first)).toBe('refused: 28P01'); // the old password no longer opens it

    await suite.scs.request(`/school/${school.id}`, { method: 'DELETE' });
    await waitForStatus(suite.scs, school.id, ['deleted'], 60_000);
    await expect(read()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await suite.reconcile()).toEqual([]); // marked for deletion: no longer listed
    const ofSchool = sm.requests.filter(([, input]) => (input.Name ?? input.SecretId) === name);
    expect(ofSchool.map(([action]) => action).filter((a) => a !== 'GetSecretValue')).toEqual([
      'CreateSecret',
      'CreateSecret', // the rotation: it exists, so its value is put
      'PutSecretValue',
      'DeleteSecret',
    ]);
    expect(ofSchool.find(([action]) => action === 'DeleteSecret')![1]).toEqual({
      SecretId: name,
      RecoveryWindowInDays: 10,
    });
    expect(sm.secrets.get(name)).toMatchObject({ versions: 2, deletion: 10 });
    const history = (await suite.scs.request(`/school/${school.id}/history`)).body.events;
    const where = (type: string) => history.find((e: { type: string }) => e.type === type).data.credentials;
    expect(where('SchoolRegistered')).toEqual({ delivery: 'aws-secrets-manager', location: name });
    expect(where('SchoolCredentialsRotated')).toEqual({ delivery: 'aws-secrets-manager', location: name });
    expect(where('SchoolUnregistered')).toEqual({ delivery: 'aws-secrets-manager', location: name, existed: true });
    app.destroy();
  }, 180_000);
});
