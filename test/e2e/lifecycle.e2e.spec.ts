import pg from 'pg';
import { SchoolCredentials } from '../../src/adapters/secrets/credentials.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, query, urlForDatabase } from '../support/databases.js';
import { isRolePassword } from '../support/role-password.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const KEY = 'b2'.repeat(32);
const MAINTENANCE = '127.0.0.2';

/** A school's life after its creation, end to end: its details changed, suspended and resumed. */
describe('a school after its creation (real PostgreSQL, real process)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let id: string;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e_lifecycle');
    const env = { SCS_CREDENTIALS_KEY: KEY, SCHOOL_SUSPENDED_DNS_TARGET: MAINTENANCE };
    scs = await startScs({ databaseUrl: central.url, env });
    id = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    await waitForStatus(scs, id, ['active']);
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  const patch = (body: unknown, headers: Record<string, string>, contentType = 'application/merge-patch+json') =>
    scs.request(`/school/${id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': contentType, ...headers },
      body: JSON.stringify(body),
    });
  const registryRow = async () =>
    (
      await query(central.url, 'SELECT name, district, board, admin_email FROM school_registry WHERE school_id = $1', [
        id,
      ])
    )[0];
  const historyLength = async () => (await scs.request(`/school/${id}/history`)).body.events.length as number;

  describe('PATCH /school/:id (change details)', () => {
    it('refuses a change without If-Match (428) or with a stale one (412), changing nothing', async () => {
      const before = await scs.request(`/school/${id}`);
      const etag = before.headers.get('etag')!;
      const events = await historyLength();
      const registry = await registryRow();

      const missing = await patch({ board: 'ICSE' }, {});
      expect(missing.status).toBe(428);
      expect(missing.body.type).toMatch(/\/precondition-required$/);

      const stale = etag.replace(/"$/, 'x"');
      for (const ifMatch of [stale, `W/${etag}`, etag.slice(1, -1)]) {
        const refused = await patch({ board: 'ICSE' }, { 'If-Match': ifMatch });
        expect({ ifMatch, status: refused.status }).toEqual({ ifMatch, status: 412 });
        expect(refused.body.type).toMatch(/\/precondition-failed$/);
      }
      expect(await historyLength()).toBe(events);
      const after = await scs.request(`/school/${id}`);
      expect(after.body).toEqual(before.body);
      expect(after.headers.get('etag')).toBe(etag);
      expect(await registryRow()).toEqual(registry);
    });

    it('refuses invalid fields with 400 naming each, by the rules of POST /school, changing nothing', async () => {
      const etag = (await scs.request(`/school/${id}`)).headers.get('etag')!;
      const events = await historyLength();
      const res = await patch(
        { phone: '98765', adminEmail: 'not an email', slug: 'elsewhere', colour: 'green', name: null },
        { 'If-Match': etag },
      );
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'phone',
        'adminEmail',
        'slug',
        'colour',
        'name',
      ]);
      expect(res.body.errors[0].message).toBe('must be an E.164 phone number such as +919876543210');
      const text = await patch({ board: 'ICSE' }, { 'If-Match': etag }, 'text/plain');
      expect(text.status).toBe(415);
      expect(await historyLength()).toBe(events);
    });

    it('changes the details on the ETag it was sent: the read model, the registry, the reports and the history follow', async () => {
      const before = await scs.request(`/school/${id}`);
      const changes = { name: 'Greenwood High School', district: 'Nashik', adminEmail: 'Office@Greenwood.EXAMPLE' };
      const res = await patch(changes, { 'If-Match': before.headers.get('etag')!, 'X-Correlation-Id': 'rename-1' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ...changes,
        adminEmail: 'Office@greenwood.example',
        board: 'CBSE',
        status: 'active',
      });
      const etag = res.headers.get('etag')!;
      expect(etag).not.toBe(before.headers.get('etag'));

      const history = (await scs.request(`/school/${id}/history`)).body.events;
      const changed = history.find((e: { type: string }) => e.type === 'SchoolDetailsChanged');
      expect(changed.data).toEqual({
        changes: { name: 'Greenwood High School', district: 'Nashik', adminEmail: 'Office@greenwood.example' },
        previous: { name: before.body.name, district: before.body.district, adminEmail: before.body.adminEmail },
        changedAt: expect.any(String),
      });
      expect(changed.metadata).toMatchObject({ actor: expect.stringMatching(/^key-/), correlationId: 'rename-1' });

      // The registry row was brought along before the answer (the process manager would have, had that
      // failed), so the answer's ETag is not made stale by it; the read model and the reports follow.
      expect(await registryRow()).toEqual({
        name: 'Greenwood High School',
        district: 'Nashik',
        board: 'CBSE',
        admin_email: 'Office@greenwood.example',
      });
      const read = await waitFor('the read model', async () => {
        const got = await scs.request(`/school/${id}`);
        return got.body.district === 'Nashik' ? got : undefined;
      });
      expect(read.headers.get('etag')).toBe(etag); // the row's answer is the bytes the PATCH answered
      const listed = (await scs.request('/schools?district=Nashik')).body.items.map((s: { id: string }) => s.id);
      expect(listed).toEqual([id]);
      const found = (await scs.request('/schools?q=greenwood%20high%20s')).body.items.map((s: { id: string }) => s.id);
      expect(found).toEqual([id]);
      const fleet = await waitFor('the fleet report', async () => {
        const report = (await scs.request('/reports/fleet')).body;
        return JSON.stringify(report).includes('Nashik') ? report : undefined;
      });
      expect(JSON.stringify(fleet)).not.toContain('"Pune"');
      const last = (await scs.request(`/school/${id}/history`)).body.events.slice(-2);
      expect(last.map((e: { type: string }) => e.type)).toEqual(['SchoolDetailsChanged', 'SchoolRegistryUpdated']);
      expect(last[1].data).toMatchObject({ name: 'Greenwood High School', district: 'Nashik', existed: true });

      // A second change on the ETag the first answered; `audit verify` finds every row equal to the events.
      const again = await patch({ board: 'ICSE' }, { 'If-Match': etag }, 'application/json');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ board: 'ICSE', district: 'Nashik' });
      expect((await registryRow()).board).toBe('ICSE');
      await waitFor('audit verify to find nothing', async () =>
        (await runCli(central.url, ['audit', 'verify'])).code === 0 ? true : undefined,
      );
    });

    it('answers 404 for an unknown school and 410 for a deleted one', async () => {
      const unknown = await scs.request('/school/6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'If-Match': '*' },
        body: '{"board":"ICSE"}',
      });
      expect(unknown.status).toBe(404);
      const other = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
      await waitForStatus(scs, other, ['active']);
      await scs.request(`/school/${other}`, { method: 'DELETE' });
      await waitForStatus(scs, other, ['deleted']);
      const gone = await scs.request(`/school/${other}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'If-Match': '*' },
        body: '{"board":"ICSE"}',
      });
      expect(gone.status).toBe(410);
    });
  });

  describe('POST /school/:id/suspend and /resume', () => {
    const credentials = new SchoolCredentials([{ id: 'default', key: Buffer.from(KEY, 'hex') }]);
    let school: { id: string; slug: string; databaseName: string; subdomain: string };

    beforeAll(async () => {
      const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
      school = await waitForStatus(scs, created.body.id, ['active']);
    });

    /** A session of the school's own role on its database (what the school's apps open). */
    const session = async () => {
      const url = new URL(urlForDatabase(school.databaseName));
      url.username = `${school.databaseName}_owner`;
      url.password = credentials.passwordFor(school.id, { keyId: 'default', generation: rotations });
      const client = new pg.Client({ connectionString: url.toString() });
      client.on('error', () => undefined); // a terminated idle session reports here
      await client.connect();
      return client;
    };
    let rotations = 0;
    const refusal = async () => {
      try {
        await (await session()).end();
        return 'connected';
      } catch (error) {
        return `${(error as { code?: string }).code}: ${(error as Error).message}`;
      }
    };
    /** What the school's name resolves to in the local zone: its record's value. */
    const resolves = async () =>
      (await query(central.url, `SELECT type, value FROM local_dns_records WHERE name = $1 AND type <> 'TXT'`, [
        school.subdomain,
      ])) as Array<{ type: string; value: string }>;
    const history = async () => (await scs.request(`/school/${school.id}/history`)).body.events;

    it('suspends: the role is refused by PostgreSQL, its open sessions end, its name points at the maintenance target', async () => {
      const open = await session();
      expect((await open.query('SELECT count(*)::int AS n FROM rooms')).rows[0].n).toBe(0);
      expect(await resolves()).toEqual([{ type: 'A', value: '127.0.0.1' }]);

      const res = await scs.request(`/school/${school.id}/suspend`, {
        method: 'POST',
        json: { reason: 'contract lapsed' },
      });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: school.id, status: 'suspending' });
      expect(res.headers.get('location')).toBe(`/school/${school.id}`);
      const view = await waitForStatus(scs, school.id, ['suspended']);
      expect(view.suspension).toEqual({
        reason: 'contract lapsed',
        requestedAt: expect.any(String),
        suspendedAt: expect.any(String),
      });

      // Ended by the server (pg reports the lost connection on the next query).
      await expect(open.query('SELECT 1')).rejects.toThrow(/terminat|connection error/);
      const sessions = await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_stat_activity WHERE usename = $1', [
        `${school.databaseName}_owner`,
      ]);
      expect(sessions).toEqual([]);
      expect(await refusal()).toBe(`28000: role "${school.databaseName}_owner" is not permitted to log in`);
      expect(await resolves()).toEqual([{ type: 'A', value: MAINTENANCE }]);
      const events = await history();
      expect(events.slice(-2).map((e: { type: string }) => e.type)).toEqual([
        'SchoolSuspensionRequested',
        'SchoolSuspended',
      ]);
      expect(events.at(-1).data).toMatchObject({
        reason: 'contract lapsed',
        terminatedSessions: 1,
        dns: { name: school.subdomain, recordType: 'A', value: MAINTENANCE },
      });
      expect(events.at(-1).metadata.actor).toBe('process-manager');
    });

    it('refuses what a suspended school does not allow, and a reason that is not one', async () => {
      const again = await scs.request(`/school/${school.id}/suspend`, { method: 'POST', json: { reason: 'again' } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ type: expect.stringMatching(/\/wrong-status$/), schoolStatus: 'suspended' });
      for (const [body, fields] of [
        [{ reason: '' }, ['reason']],
        [{}, ['reason']],
        [{ reason: 'x', until: 'tomorrow' }, ['until']],
      ] as const) {
        const bad = await scs.request(`/school/${school.id}/suspend`, { method: 'POST', json: body });
        expect(bad.status).toBe(400);
        expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
      }
      const other = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
      await waitForStatus(scs, other, ['active']);
      const notSuspended = await scs.request(`/school/${other}/resume`, { method: 'POST' });
      expect(notSuspended.status).toBe(409);
      expect(notSuspended.body.schoolStatus).toBe('active');
    });

    it("rotates a suspended school's credentials without letting its role log in", async () => {
      const rotated = await runCli(central.url, ['secrets', 'rotate', '--only', school.slug, '--yes', '--json'], {
        SCS_CREDENTIALS_KEY: KEY,
      });
      expect(rotated.code).toBe(0);
      expect(JSON.parse(rotated.stdout)).toMatchObject({ rotated: 1 });
      rotations = 1;
      const role = `${school.databaseName}_owner`;
      expect(await isRolePassword(role, credentials.passwordFor(school.id, { keyId: 'default', generation: 1 }))).toBe(
        true,
      );
      expect(await refusal()).toMatch(/^28000: /);
    });

    it('resumes (here through the CLI, by slug): the role logs in again and the name points back', async () => {
      const { code, stdout } = await runCli(central.url, ['school', 'resume', school.slug, '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ id: school.id, status: 'resuming' });
      const view = await waitForStatus(scs, school.id, ['active']);
      expect(view.suspension).toBeUndefined();
      expect(await refusal()).toBe('connected');
      expect(await resolves()).toEqual([{ type: 'A', value: '127.0.0.1' }]);
      const events = await history();
      expect(events.at(-1)).toMatchObject({
        type: 'SchoolResumed',
        data: { dns: { recordType: 'A', value: '127.0.0.1' } },
      });
      expect(events.find((e: { type: string }) => e.type === 'SchoolResumeRequested').metadata.actor).toBe('cli');
    });

    it('tears a suspended school down (suspended through the CLI, by slug)', async () => {
      const refused = await runCli(central.url, ['school', 'suspend', school.slug, '--reason', 'closing']);
      expect(refused.code).toBe(2); // no terminal, no --yes: nothing done
      const cli = await runCli(central.url, ['school', 'suspend', school.slug, '--reason', 'closing', '--yes']);
      expect(cli.code).toBe(0);
      await waitForStatus(scs, school.id, ['suspended']);
      expect((await scs.request(`/school/${school.id}`, { method: 'DELETE' })).status).toBe(202);
      await waitForStatus(scs, school.id, ['deleted']);
      expect(await resolves()).toEqual([]);
      const [role] = await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_roles WHERE rolname = $1', [
        `${school.databaseName}_owner`,
      ]);
      expect(role).toBeUndefined();
      const steps = (await scs.request('/reports/steps')).body;
      const actions = JSON.stringify(steps);
      for (const action of ['suspend_school', 'resume_school', 'update_registry']) expect(actions).toContain(action);
      await waitFor('audit verify to find nothing', async () =>
        (await runCli(central.url, ['audit', 'verify'])).code === 0 ? true : undefined,
      );
    });
  });
});
