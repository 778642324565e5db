import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshDatabase, query as sql, urlForDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('reconciler: orphans and drift between the real resources and the events', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let active: any;
  let deleted: any;
  const server = () => urlForDatabase('postgres');

  beforeAll(async () => {
    central = await freshDatabase('scs_rec');
    scs = await startScs({ databaseUrl: central.url });
    const a = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const d = await scs.request('/school', { method: 'POST', json: schoolBody() });
    active = await waitForStatus(scs, a.body.id, ['active']);
    await waitForStatus(scs, d.body.id, ['active']);
    await scs.request(`/school/${d.body.id}`, { method: 'DELETE' });
    deleted = await waitForStatus(scs, d.body.id, ['deleted']);
  });
  afterAll(async () => {
    await scs?.stop();
    await sql(server(), `DROP DATABASE IF EXISTS ${deleted?.databaseName ?? 'none'} WITH (FORCE)`).catch(
      () => undefined,
    );
    await central?.drop();
  });

  const cli = (...args: string[]) =>
    run(process.execPath, ['dist/src/cli/main.js', 'reconcile', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: central.url, SCS_API_KEY: API_KEY, NODE_ENV: 'test' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );

  it('finds nothing after normal provisioning and teardown', async () => {
    const result = await cli();
    expect(result.stdout).toContain('orphans: 0, drift: 0');
    expect(result.code).toBe(0);
  });

  it('reports orphans, removes them with --fix through recorded events, then finds nothing', async () => {
    const owner = `scs-owner:${central.name}`;
    const stray = `school_${randomBytes(16).toString('hex')}`;
    await sql(server(), `CREATE DATABASE ${stray}`);
    await sql(server(), `COMMENT ON DATABASE ${stray} IS '${owner}'`);
    await sql(server(), `CREATE DATABASE ${deleted.databaseName}`); // the deleted school's database, back again
    await sql(server(), `COMMENT ON DATABASE ${deleted.databaseName} IS '${owner}'`);
    await sql(
      central.url,
      `INSERT INTO local_dns_records (zone, name, type, value, ttl) VALUES ('syncad.in', 'ghost.syncad.in', 'A', '10.0.0.1', 300)`,
    );

    const report = await cli('--json');
    expect(report.code).toBe(1);
    const findings = JSON.parse(report.stdout).findings;
    expect(findings).toEqual(
      expect.arrayContaining([
        // Databases are named by their tenant server (`central` unless SCS_TENANT_SERVERS says otherwise).
        expect.objectContaining({
          kind: 'orphan',
          resource: 'database',
          name: `central/${stray}`,
          detail: 'no school claims it',
        }),
        expect.objectContaining({
          kind: 'orphan',
          resource: 'database',
          name: `central/${deleted.databaseName}`,
          schoolId: deleted.id,
        }),
        expect.objectContaining({ kind: 'orphan', resource: 'dns', name: 'ghost.syncad.in A' }),
      ]),
    );
    expect(findings).toHaveLength(3);

    const fixed = await cli('--fix', '--yes');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/removed/);
    expect(
      await sql(server(), 'SELECT 1 FROM pg_database WHERE datname = ANY($1)', [[stray, deleted.databaseName]]),
    ).toHaveLength(0);
    expect(await sql(central.url, `SELECT 1 FROM local_dns_records WHERE name = 'ghost.syncad.in'`)).toHaveLength(0);

    const history = await scs.request(`/school/${deleted.id}/history`);
    expect(history.body.events.at(-1)).toMatchObject({
      type: 'OrphanRemoved',
      data: { resource: 'database', name: `central/${deleted.databaseName}` },
      metadata: { actor: 'cli' },
    });
    expect((await cli()).stdout).toContain('orphans: 0, drift: 0');
  });

  it('reports drift when a live school has lost a resource', async () => {
    await sql(central.url, 'DELETE FROM local_dns_records WHERE name = $1', [active.subdomain]);
    const result = await cli('--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toEqual([
      expect.objectContaining({ kind: 'drift', resource: 'dns', name: active.subdomain, schoolId: active.id }),
    ]);
  });
});
