import { runCli } from '../support/cli.js';
import { freshDatabase, query } from '../support/databases.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

/** A school's life after its creation, end to end: its details changed (PATCH /school/:id). */
describe('a school after its creation (real PostgreSQL, real process)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let id: string;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e_lifecycle');
    scs = await startScs({ databaseUrl: central.url });
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
});
