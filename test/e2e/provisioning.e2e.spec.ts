import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { freshDatabase, urlForDatabase, withClient } from '../support/databases.js';
import { schoolBody, STEP_EVENTS, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

async function databaseExists(name: string): Promise<boolean> {
  return withClient(
    urlForDatabase('postgres'),
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );
}

describe('provisioning and teardown, end to end (real PostgreSQL, real process)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e');
    scs = await startScs({ databaseUrl: central.url });
  });

  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('POST /school answers 202 with a Location that never 404s, and the school becomes active', async () => {
    const body = schoolBody();
    const res = await scs.request('/school', { method: 'POST', json: body });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/school/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: body.name,
      slug: body.slug,
      status: 'provisioning',
      subdomain: `${body.slug}.syncad.in`,
    });
    expect(res.body.databaseName).toMatch(/^school_[0-9a-f]{32}$/);

    const immediately = await scs.request(res.headers.get('location')!);
    expect(immediately.status).toBe(200);

    const school = await waitForStatus(scs, res.body.id, ['active', 'failed']);
    expect(school.status).toBe('active');
    expect(school.steps.map((s: { name: string }) => s.name)).toEqual([
      'reserve_slug',
      'create_database',
      'run_migrations',
      'create_dns',
      'issue_certificate',
      'deliver_certificate',
      'register_school',
      'send_welcome_email',
    ]);
    expect(
      school.steps.every((s: { status: string; attempts: number }) => s.status === 'succeeded' && s.attempts === 1),
    ).toBe(true);
    expect(school).toMatchObject({
      district: 'Pune',
      board: 'CBSE',
      adminEmail: body.adminEmail,
      phone: body.phone,
      warnings: [],
    });
    expect(school.certificate.serialNumber).toMatch(/^[0-9a-f]+$/i);

    // The school database exists with the school schema and records its version.
    const tables = await withClient(urlForDatabase(school.databaseName), async (c) => {
      const t = await c.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      const fks = await c.query(
        `SELECT count(*)::int AS n FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY'`,
      );
      // Recorded as drizzle-orm's migrator records them, one row per migration of the journal.
      const version = await c.query(`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
      return { tables: t.rows[0].n, fks: fks.rows[0].n, version: String(version.rows[0].n).padStart(4, '0') };
    });
    expect(tables.tables).toBeGreaterThanOrEqual(50);
    expect(tables.fks).toBeGreaterThan(40);
    expect(tables.version).toBe(school.schemaVersion);

    // The registry row, the DNS record and the certificate exist where other parts will look.
    await withClient(central.url, async (c) => {
      expect((await c.query('SELECT slug FROM school_registry WHERE school_id = $1', [school.id])).rows).toEqual([
        { slug: body.slug },
      ]);
      expect((await c.query('SELECT value FROM local_dns_records WHERE name = $1', [school.subdomain])).rows).toEqual([
        { value: '127.0.0.1' },
      ]);
      expect(
        (
          await c.query(
            'SELECT count(*)::int AS n FROM local_certificates WHERE school_id = $1 AND revoked_at IS NULL',
            [school.id],
          )
        ).rows[0].n,
      ).toBe(1);
    });
  });

  it('keeps the history in order with who asked, and answers asOf', async () => {
    const created = await scs.request('/school', {
      method: 'POST',
      json: schoolBody(),
      headers: { 'X-Correlation-Id': 'audit-trail-1' },
    });
    await waitForStatus(scs, created.body.id, ['active']);
    const history = await scs.request(`/school/${created.body.id}/history`);
    expect(history.status).toBe(200);
    const types = history.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(STEP_EVENTS);
    expect(history.body.events.map((e: { revision: number }) => e.revision)).toEqual(
      types.map((_: string, i: number) => i),
    );
    expect(history.body.events[0].metadata).toMatchObject({
      actor: expect.stringMatching(/^key-[0-9a-f]{8}$/),
      correlationId: 'audit-trail-1',
    });
    expect(history.body.events[3].metadata).toMatchObject({ actor: 'process-manager', correlationId: 'audit-trail-1' });

    const firstTime = history.body.events[0].time;
    const asOf = await scs.request(`/school/${created.body.id}/history?asOf=${encodeURIComponent(firstTime)}`);
    expect(asOf.status).toBe(200);
    expect(asOf.body.state.status).toBe('provisioning');
    // Before the school existed: not a 200 with no state, a 404 saying when it was created.
    const before = await scs.request(`/school/${created.body.id}/history?asOf=2000-01-01T00:00:00Z`);
    expect(before.status).toBe(404);
    expect(before.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(before.body).toMatchObject({ type: expect.stringMatching(/\/school-not-yet$/), createdAt: firstTime });
    expect(before.body.detail).toContain(firstTime);
    const justBefore = new Date(Date.parse(firstTime) - 1).toISOString();
    expect((await scs.request(`/school/${created.body.id}/history?asOf=${justBefore}`)).status).toBe(404);
  });

  it('DELETE tears everything down, keeps the history, and frees the slug', async () => {
    const body = schoolBody();
    const created = await scs.request('/school', { method: 'POST', json: body });
    const school = await waitForStatus(scs, created.body.id, ['active']);
    expect(await databaseExists(school.databaseName)).toBe(true);

    await withClient(urlForDatabase(school.databaseName), (c) =>
      c.query(`INSERT INTO rooms (code, capacity) VALUES ('LAB-42', 30)`),
    );
    const deleted = await scs.request(`/school/${school.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    expect(deleted.body.status).toBe('deprovisioning');
    const gone = await waitForStatus(scs, school.id, ['deleted']);
    expect(gone.compensations.map((c: { name: string }) => c.name)).toEqual([
      'unregister_school',
      'withdraw_certificate',
      'revoke_certificate',
      'delete_dns',
      'drop_database',
      'release_slug',
    ]);

    expect(await databaseExists(school.databaseName)).toBe(false);
    await withClient(central.url, async (c) => {
      expect((await c.query('SELECT 1 FROM school_registry WHERE school_id = $1', [school.id])).rowCount).toBe(0);
      expect((await c.query('SELECT 1 FROM local_dns_records WHERE name = $1', [school.subdomain])).rowCount).toBe(0);
      expect(
        (
          await c.query(
            'SELECT count(*)::int AS n FROM local_certificates WHERE school_id = $1 AND revoked_at IS NOT NULL',
            [school.id],
          )
        ).rows[0].n,
      ).toBe(1);
    });
    const history = await scs.request(`/school/${school.id}/history`);
    expect(history.body.events.at(-1).type).toBe('SchoolDeleted');
    // The data was archived before the drop, and the event says where.
    const dropped = history.body.events.find((e: { type: string }) => e.type === 'DatabaseDropped');
    expect(dropped.data.archive).toMatchObject({
      location: expect.stringContaining(school.id),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const archived =
      dropped.data.archive.format === 'scs-jsonl-v1'
        ? gunzipSync(readFileSync(dropped.data.archive.location)).toString()
        : execFileSync('pg_restore', ['--data-only', '-f', '-', dropped.data.archive.location]).toString();
    expect(archived).toContain('LAB-42');
    expect((await scs.request(`/school/${school.id}`, { method: 'DELETE' })).status).toBe(410);

    const again = await scs.request('/school', { method: 'POST', json: body });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(school.id);
    await waitForStatus(scs, again.body.id, ['active']);
  });

  it('lists schools with filters and paging', async () => {
    const a = await scs.request('/school', { method: 'POST', json: { ...schoolBody(), district: 'Nashik Rural' } });
    await waitForStatus(scs, a.body.id, ['active']);
    const list = await scs.request('/schools?district=Nashik%20Rural&status=active');
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([a.body.id]);
    expect(list.body.total).toBe(1);
    const page = await scs.request('/schools?limit=1&offset=0');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.total).toBeGreaterThan(1);
  });

  it('finds schools by slug (exactly) and by a prefix of the name or slug (any case)', async () => {
    const body = schoolBody();
    body.name = 'Zephyr Valley School';
    const created = await scs.request('/school', { method: 'POST', json: body });
    await waitForStatus(scs, created.body.id, ['active']);
    const ids = async (query: string) => {
      const res = await scs.request(`/schools?${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((s: { id: string }) => s.id);
    };
    expect(await ids(`slug=${body.slug}`)).toEqual([created.body.id]);
    expect(await ids(`slug=${body.slug.toUpperCase()}`)).toEqual([created.body.id]);
    expect(await ids(`slug=${body.slug.slice(0, -1)}`)).toEqual([]);
    expect(await ids('q=zEPHYR%20v')).toEqual([created.body.id]);
    expect(await ids(`q=${body.slug}&status=active`)).toEqual([created.body.id]);
    expect(await ids('q=Valley')).toEqual([]);
    for (const [query, field] of [
      ['slug=not%20a%20slug', 'slug'],
      ['q=', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
    ]) {
      const refused = await scs.request(`/schools?${query}`);
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('writes the welcome email to the outbox', async () => {
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    await waitForStatus(scs, created.body.id, ['active']);
    const history = await scs.request(`/school/${created.body.id}/history`);
    const sent = history.body.events.find((e: { type: string }) => e.type === 'WelcomeEmailSent');
    expect(sent.data).toMatchObject({ provider: 'outbox', to: 'admin@greenwood.example' });
    const outbox = join(scs.dataDir, 'outbox');
    const file = readdirSync(outbox).find((f) => f.includes(created.body.id));
    expect(file).toBeDefined();
    const eml = readFileSync(join(outbox, file!), 'utf8');
    expect(eml).toMatch(/^To: admin@greenwood\.example\r?$/m);
    const parts = [...eml.matchAll(/base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/g)].map((m) =>
      Buffer.from(m[1].replace(/\s/g, ''), 'base64').toString('utf8'),
    );
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toContain(`https://${created.body.slug}.syncad.in/`);
  });
});
