import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SchoolCredentials } from '../../src/adapters/secrets/credentials.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, query, urlForDatabase } from '../support/databases.js';
import { connectsAs, isRolePassword } from '../support/role-password.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const SCHOOLS = 10;
const OLD = randomBytes(32);
const NEW = randomBytes(32);
const NEWER = randomBytes(32);
const keys = (...pairs: Array<[string, Buffer]>) => pairs.map(([id, key]) => `${id}:${key.toString('hex')}`).join(',');
const ring = new SchoolCredentials([
  { id: 'newer', key: NEWER },
  { id: 'new', key: NEW },
  { id: 'old', key: OLD },
]);

describe(`secrets rotate: ${SCHOOLS} schools moved to a new credentials key`, () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;
  const schools: Array<{ id: string; databaseName: string }> = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-rotate-'));

  const registryRow = async (id: string) =>
    (
      await query(
        central.url,
        'SELECT database_role, database_password_encrypted FROM school_registry WHERE school_id = $1',
        [id],
      )
    )[0];
  const rotations = async (id: string) =>
    (await scs!.request(`/school/${id}/history`)).body.events.filter(
      (e: { type: string }) => e.type === 'SchoolCredentialsRotated',
    );
  const rotationEvents = async () =>
    (await query(central.url, `SELECT data FROM scs_events WHERE type = 'SchoolCredentialsRotated'`)).map(
      (r) => r.data,
    );
  /** The registry's password is the role's, and it connects: what every app reading the registry needs. */
  const usable = async (school: { id: string; databaseName: string }) => {
    const row = await registryRow(school.id);
    const password = ring.decrypt(row.database_password_encrypted);
    return (
      (await isRolePassword(row.database_role, password)) &&
      (await connectsAs(row.database_role, password, school.databaseName))
    );
  };
  const rotate = (args: string[], env: Record<string, string>) =>
    runCli(central.url, ['secrets', 'rotate', '--yes', ...args], { SCS_DATA_DIR: dataDir, ...env });

  beforeAll(async () => {
    central = await freshDatabase('scs_rotate');
    scs = await startScs({ databaseUrl: central.url, dataDir, env: { SCS_CREDENTIALS_KEYS: keys(['old', OLD]) } });
    const ids: string[] = [];
    for (let i = 0; i < SCHOOLS; i++)
      ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    for (const id of ids) schools.push(await waitForStatus(scs, id, ['active'], 60_000));
    await scs.stop();
  }, 120_000);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('moves every school to the new key, resuming after a SIGKILL with no school unable to connect', async () => {
    const env = { SCS_CREDENTIALS_KEYS: keys(['new', NEW], ['old', OLD]) };
    const oldPasswords = new Map(schools.map((s) => [s.id, ring.passwordFor(s.id, { keyId: 'old', generation: 0 })]));
    for (const s of schools)
      expect(await isRolePassword(`${s.databaseName}_owner`, oldPasswords.get(s.id)!)).toBe(true);

    // One school first (a suspected leak), then the rest, killed after a school's switch, before its event.
    expect((await rotate(['--only', schools[0].id], env)).stdout).toMatch(/rotated 1 schools to key "new"/);
    const killed = await rotate(['--concurrency', '3'], { ...env, SCS_FAULTS: 'rotate_credentials:crash' });
    expect(killed.signal).toBe('SIGKILL');
    expect((await rotationEvents()).length).toBeLessThan(SCHOOLS);
    for (const s of schools) expect(await usable(s)).toBe(true);
    const midway = await runCli(central.url, ['reconcile'], { SCS_DATA_DIR: dataDir, ...env });
    expect(midway.code).toBe(1);
    expect(midway.stdout).toMatch(/retired-key credentials/);

    const resumed = await rotate(['--concurrency', '3'], env);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`rotated ${SCHOOLS - 1} schools to key "new" in [0-9.]+ s`));

    scs = await startScs({ databaseUrl: central.url, dataDir, env });
    const onlyNew = new SchoolCredentials([{ id: 'new', key: NEW }]);
    for (const s of schools) {
      const events = await rotations(s.id);
      expect(events).toHaveLength(1);
      expect(events[0].data).toMatchObject({ keyId: 'new', previousKeyId: 'old', generation: 1 });
      expect(JSON.stringify(events[0])).not.toContain(onlyNew.passwordFor(s.id, { keyId: 'new', generation: 1 }));
      const row = await registryRow(s.id);
      expect(row.database_password_encrypted).toMatch(/^v2:new:/);
      const password = onlyNew.decrypt(row.database_password_encrypted);
      expect(password).toBe(onlyNew.passwordFor(s.id, { keyId: 'new', generation: 1 }));
      expect(await connectsAs(row.database_role, password, s.databaseName)).toBe(true);
      expect(await isRolePassword(row.database_role, password)).toBe(true);
      expect(await isRolePassword(row.database_role, oldPasswords.get(s.id)!)).toBe(false);
    }
    const after = await runCli(central.url, ['reconcile'], { SCS_DATA_DIR: dataDir, ...env });
    expect(after.stdout).toContain('orphans: 0, drift: 0, on a retired key: 0');
    await scs.stop();
  }, 120_000);

  it('provisions and tears down schools while a rotation runs', async () => {
    const env = { SCS_CREDENTIALS_KEYS: keys(['newer', NEWER], ['new', NEW], ['old', OLD]) };
    scs = await startScs({ databaseUrl: central.url, dataDir, env });
    const leaving = schools[SCHOOLS - 1];
    const [rotation, created, deleted] = await Promise.all([
      rotate(['--concurrency', '2'], env),
      scs
        .request('/school', { method: 'POST', json: schoolBody() })
        .then((res) => waitForStatus(scs!, res.body.id, ['active'], 60_000)),
      scs
        .request(`/school/${leaving.id}`, { method: 'DELETE' })
        .then(() => waitForStatus(scs!, leaving.id, ['deleted'], 60_000)),
    ]);
    expect(rotation.code).toBe(0);
    expect(deleted.status).toBe('deleted');
    expect(
      await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_roles WHERE rolname = $1', [
        `${leaving.databaseName}_owner`,
      ]),
    ).toHaveLength(0);
    expect(await registryRow(leaving.id)).toBeUndefined();

    // The new school was made with the active key; the others were moved to it.
    const history = (await scs.request(`/school/${created.id}/history`)).body.events;
    expect(history.find((e: { type: string }) => e.type === 'MigrationsApplied').data.credentialsKeyId).toBe('newer');
    expect(await usable(created)).toBe(true);
    for (const s of schools.slice(0, SCHOOLS - 1)) {
      expect((await rotations(s.id)).at(-1).data).toMatchObject({ keyId: 'newer', generation: 2 });
      expect((await registryRow(s.id)).database_password_encrypted).toMatch(/^v2:newer:/);
      expect(await usable(s)).toBe(true);
    }

    // --only gives one school a new password even on the active key (a suspected leak of it).
    const before = ring.passwordFor(schools[0].id, { keyId: 'newer', generation: 2 });
    expect((await rotate(['--only', schools[0].id], env)).code).toBe(0);
    expect((await rotations(schools[0].id)).at(-1).data).toMatchObject({
      keyId: 'newer',
      previousKeyId: 'newer',
      generation: 3,
    });
    expect(await isRolePassword(`${schools[0].databaseName}_owner`, before)).toBe(false);
    expect(await usable(schools[0])).toBe(true);
    expect((await rotate(['--only', 'not a school'], env)).code).toBe(2); // neither an id nor a slug
    const unknown = await rotate(['--only', 'no-such-school'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no school with id or slug no-such-school/);
  }, 120_000);
});
