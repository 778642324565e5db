import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  // Certificates delivered as files, so that delivered files are compared too.
  const tls = mkdtempSync(join(tmpdir(), 'scs-rec-tls-'));
  const delivery = { CERT_DELIVERY: 'files', CERT_DELIVERY_DIR: tls };

  beforeAll(async () => {
    central = await freshDatabase('scs_rec');
    scs = await startScs({ databaseUrl: central.url, env: delivery });
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
    rmSync(tls, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    run(process.execPath, ['dist/src/cli/main.js', 'reconcile', ...args], {
      cwd: ROOT,
      env: {
        ...{ PATH: process.env.PATH ?? '', DATABASE_URL: central.url, SCS_API_KEY: API_KEY, NODE_ENV: 'test' },
        ...delivery,
      },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
    );

  it('finds nothing after normal provisioning and teardown', async () => {
    // The live school's files are there, the deleted school's were withdrawn.
    expect(readdirSync(tls)).toEqual([active.subdomain]);
    expect(readdirSync(join(tls, active.subdomain)).sort()).toEqual(['fullchain.pem', 'privkey.pem', 'scs-owner']);
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
    // An orphan record this instance made (its mark names it and a school nobody knows), and two records
    // that other teams keep in the shared zone: an A record and an ACM-style validation CNAME.
    const ghostMark = `heritage=scs,scs/owner=${central.name},scs/school=${randomUUID()},scs/type=A`;
    await sql(
      central.url,
      `INSERT INTO local_dns_records (zone, name, type, value, ttl) VALUES
         ('syncad.in', 'ghost.syncad.in', 'A', '10.0.0.1', 300),
         ('syncad.in', '_scs-owner.ghost.syncad.in', 'TXT', $1, 300),
         ('syncad.in', 'team.syncad.in', 'A', '10.0.0.2', 300),
         ('syncad.in', '_acme-challenge.team.syncad.in', 'CNAME', '_x1.acm-validations.aws', 300)`,
      [ghostMark],
    );
    // Delivered files of a school nobody knows, marked by this instance, and a folder someone else keeps.
    const ghostFiles = join(tls, 'ghost.syncad.in');
    mkdirSync(ghostFiles);
    writeFileSync(join(ghostFiles, 'scs-owner'), `heritage=scs,scs/owner=${central.name},scs/school=${randomUUID()}\n`);
    writeFileSync(join(ghostFiles, 'privkey.pem'), 'key');
    const teamFiles = join(tls, 'team.syncad.in');
    mkdirSync(teamFiles);
    writeFileSync(join(teamFiles, 'fullchain.pem'), 'theirs');

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
        expect.objectContaining({ kind: 'foreign', resource: 'dns', name: 'team.syncad.in A' }),
        expect.objectContaining({ kind: 'foreign', resource: 'dns', name: '_acme-challenge.team.syncad.in CNAME' }),
        expect.objectContaining({ kind: 'orphan', resource: 'delivery', name: ghostFiles }),
        expect.objectContaining({
          kind: 'foreign',
          resource: 'delivery',
          name: teamFiles,
          detail: 'carries no SCS mark (not delivered by SCS): left alone',
        }),
      ]),
    );
    expect(findings).toHaveLength(7);

    const fixed = await cli('--fix', '--yes');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/removed/);
    expect(fixed.stdout).toContain('foreign (left alone): 3');
    expect(existsSync(ghostFiles)).toBe(false);
    expect(readdirSync(teamFiles)).toEqual(['fullchain.pem']);
    // Only what this instance owns is removed: the other teams' records are still there.
    expect(
      await sql(
        central.url,
        `SELECT name, type, value FROM local_dns_records WHERE name LIKE '%team.syncad.in' ORDER BY name`,
      ),
    ).toEqual([
      { name: '_acme-challenge.team.syncad.in', type: 'CNAME', value: '_x1.acm-validations.aws' },
      { name: 'team.syncad.in', type: 'A', value: '10.0.0.2' },
    ]);
    expect(await sql(central.url, `SELECT 1 FROM local_dns_records WHERE name LIKE '%ghost.syncad.in'`)).toHaveLength(
      0,
    );
    expect(
      await sql(server(), 'SELECT 1 FROM pg_database WHERE datname = ANY($1)', [[stray, deleted.databaseName]]),
    ).toHaveLength(0);

    const history = await scs.request(`/school/${deleted.id}/history`);
    expect(history.body.events.at(-1)).toMatchObject({
      type: 'OrphanRemoved',
      data: { resource: 'database', name: `central/${deleted.databaseName}` },
      metadata: { actor: 'cli' },
    });
    expect((await cli()).stdout).toContain('orphans: 0, drift: 0');
    await sql(central.url, `DELETE FROM local_dns_records WHERE name LIKE '%team.syncad.in'`);
    rmSync(teamFiles, { recursive: true });
  });

  it('adopts a record made before ownership records, which its school then owns', async () => {
    const mark = `_scs-owner.${active.subdomain}`;
    await sql(central.url, 'DELETE FROM local_dns_records WHERE name = $1', [mark]);
    const before = await cli('--json');
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).findings).toEqual([
      expect.objectContaining({
        kind: 'foreign',
        resource: 'dns',
        name: `${active.subdomain} A`,
        schoolId: active.id,
        detail: expect.stringContaining('reconcile --adopt'),
      }),
    ]);
    expect((await cli('--adopt')).stdout).toContain('adopted');
    expect(await sql(central.url, 'SELECT value FROM local_dns_records WHERE name = $1', [mark])).toEqual([
      { value: `heritage=scs,scs/owner=${central.name},scs/school=${active.id},scs/type=A` },
    ]);
    expect(JSON.parse((await cli('--json')).stdout).findings).toEqual([]);
  });

  it('reports drift when a live school has lost a resource', async () => {
    await sql(central.url, 'DELETE FROM local_dns_records WHERE name = $1', [active.subdomain]);
    rmSync(join(tls, active.subdomain), { recursive: true });
    const result = await cli('--json');
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout).findings;
    expect(findings).toHaveLength(2);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'drift', resource: 'dns', name: active.subdomain, schoolId: active.id }),
        expect.objectContaining({
          kind: 'drift',
          resource: 'delivery',
          name: join(tls, active.subdomain),
          schoolId: active.id,
        }),
      ]),
    );
  });
});
