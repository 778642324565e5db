import { runCli } from '../support/cli.js';
import { freshDatabase, query as sql } from '../support/databases.js';
import { reconcileReport, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';
import { describeWith, startPowerDns, type PowerDnsServer } from '../support/self-hosted.js';

const slugOf = (label: string) => `${label}-${Date.now().toString(36)}`;

describe('DNS ownership: a school never takes over a name SCS did not make (local DNS)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_owned');
    // Every school's create_dns fails once and is retried after 1.5 s: the window in which the test
    // puts a foreign record under a requested name.
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_FAULTS: 'create_dns:flaky:1', SCS_RETRY_BASE_MS: '1500', SCS_RETRY_MAX_MS: '1500' },
    });
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  /** A record another team keeps in the zone, written past SCS. */
  const foreignRecord = (name: string, type: string, value: string) =>
    sql(
      central.url,
      `WITH zone AS (INSERT INTO local_dns_zone (zone, serial) VALUES ('syncad.in', 1) ON CONFLICT (zone) DO NOTHING)
       INSERT INTO local_dns_records (zone, name, type, value, ttl) VALUES ('syncad.in', $1, $2, $3, 300)`,
      [name, type, value],
    );
  const zoneAt = (name: string) =>
    sql(central.url, `SELECT name, type, value FROM local_dns_records WHERE name = $1 OR name LIKE $2 ORDER BY name`, [
      name,
      `%.${name}`,
    ]);

  it("refuses a slug whose name holds another team's record: 409 name-taken naming it, and nothing changed", async () => {
    const slug = slugOf('shop');
    const name = `${slug}.syncad.in`;
    await foreignRecord(name, 'A', '198.51.100.7');
    const res = await scs.request('/school', { method: 'POST', json: schoolBody(slug) });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      type: expect.stringMatching(/\/name-taken$/),
      status: 409,
      field: 'slug',
      name,
      records: [{ name, type: 'A', value: '198.51.100.7' }],
    });
    expect(await zoneAt(name)).toEqual([{ name, type: 'A', value: '198.51.100.7' }]);
    const listed = await scs.request('/schools?limit=100');
    expect(listed.body.items.map((s: { slug: string }) => s.slug)).not.toContain(slug);
    // The refusal gave the slug's claim back: once the other team's record is gone, the slug is free at once.
    await sql(central.url, 'DELETE FROM local_dns_records WHERE name = $1', [name]);
    const later = await scs.request('/school', { method: 'POST', json: schoolBody(slug) });
    expect(later.status).toBe(202);
    await waitForStatus(scs, later.body.id, ['active'], 60_000);
  });

  it('rolls a school back when a foreign record appears under its name before create_dns, and keeps that record', async () => {
    const slug = slugOf('race');
    const name = `${slug}.syncad.in`;
    const res = await scs.request('/school', { method: 'POST', json: schoolBody(slug) });
    expect(res.status).toBe(202);
    const foreign = { name: `_acme-challenge.${name}`, type: 'CNAME', value: '_x1.acm-validations.aws' };
    await foreignRecord(foreign.name, foreign.type, foreign.value);
    const failed = await waitForStatus(scs, res.body.id, ['failed'], 60_000);
    expect(failed).toMatchObject({ failedStep: 'create_dns', failureReason: expect.stringContaining('does not own') });
    expect(await zoneAt(name)).toEqual([foreign]);
    const report = await reconcileReport(central.url);
    expect(report.stdout).toContain('orphans: 0, drift: 0');
  });
});

describeWith(['pdns_server', 'gsqlite3', 'sqlite3', 'dig'])(
  'two SCS instances sharing one PowerDNS zone and one PostgreSQL server',
  () => {
    let powerdns: PowerDnsServer;
    const instances: Array<{ central: Awaited<ReturnType<typeof freshDatabase>>; scs: ScsProcess }> = [];

    beforeAll(async () => {
      powerdns = await startPowerDns('shared.test');
      for (const prefix of ['scs_prod', 'scs_staging']) {
        const central = await freshDatabase(prefix);
        const scs = await startScs({
          databaseUrl: central.url,
          env: {
            BASE_DOMAIN: 'shared.test',
            DNS_PROVIDER: 'powerdns',
            POWERDNS_API_URL: powerdns.apiUrl,
            POWERDNS_API_KEY: powerdns.apiKey,
          },
        });
        instances.push({ central, scs });
      }
    });
    afterAll(async () => {
      for (const { scs, central } of instances) {
        await scs.stop();
        await central.drop();
      }
      await powerdns?.stop();
    });

    it('each refuses the names and leaves the records and databases of the other, even with reconcile --fix', async () => {
      const [prod, staging] = instances;
      const ours = await prod.scs.request('/school', { method: 'POST', json: schoolBody(slugOf('alpha')) });
      const theirs = await staging.scs.request('/school', { method: 'POST', json: schoolBody(slugOf('beta')) });
      const alpha = await waitForStatus(prod.scs, ours.body.id, ['active']);
      const beta = await waitForStatus(staging.scs, theirs.body.id, ['active']);

      // The same slug at the other instance: its name is taken in the shared zone.
      const again = await staging.scs.request('/school', { method: 'POST', json: schoolBody(alpha.slug) });
      expect(again.status).toBe(409);
      expect(again.body.type).toMatch(/\/name-taken$/);

      for (const { central } of instances) {
        const fixed = await runCli(central.url, ['reconcile', '--fix', '--yes'], {
          BASE_DOMAIN: 'shared.test',
          DNS_PROVIDER: 'powerdns',
          POWERDNS_API_URL: powerdns.apiUrl,
          POWERDNS_API_KEY: powerdns.apiKey,
        });
        expect(fixed.stdout).toContain('orphans: 0, drift: 0');
        expect(fixed.stdout).toContain('foreign (left alone): 1');
        expect(fixed.code).toBe(0);
      }
      expect(await powerdns.dig(alpha.subdomain, 'A')).toEqual(['127.0.0.1']);
      expect(await powerdns.dig(beta.subdomain, 'A')).toEqual(['127.0.0.1']);
      const databases = await sql(
        prod.central.url,
        'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
        [[alpha.databaseName, beta.databaseName]],
      );
      expect(databases).toHaveLength(2);

      // Each deletes its own school: only that school's record goes.
      await staging.scs.request(`/school/${beta.id}`, { method: 'DELETE' });
      await waitForStatus(staging.scs, beta.id, ['deleted']);
      expect(await powerdns.dig(beta.subdomain, 'A')).toEqual([]);
      expect(await powerdns.dig(alpha.subdomain, 'A')).toEqual(['127.0.0.1']);
    });
  },
);
