import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshDatabase } from '../support/databases.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';
import { API_KEY, schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A mixed workload (provisions with a retried step, a deletion, certificate renewals, a failure and its
 * rollback), then every projection rebuilt from the first event while the service runs: the API answers
 * byte for byte as before. Then the audit routes, export and verify over the same store.
 */
describe.each(['postgres', 'eventstoredb'] as const)('reporting and audit on the %s event store', (eventStore) => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let esdb: EsdbTestServer | undefined;
  let storeEnv: Record<string, string> = {};
  let scs: ScsProcess | undefined;
  const ids: string[] = [];

  const cli = (...args: string[]) =>
    run(process.execPath, ['dist/src/cli/main.js', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: central.url,
        SCS_API_KEY: API_KEY,
        NODE_ENV: 'test',
        ...storeEnv,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  const raw = async (path: string, accept = 'application/json') => {
    const res = await fetch(`${scs!.url}${path}`, { headers: { 'X-SCS-Key': API_KEY, Accept: accept } });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  beforeAll(async () => {
    central = await freshDatabase('scs_reporting');
    esdb = eventStore === 'eventstoredb' ? await startEsdbTestServer() : undefined;
    storeEnv = esdb ? { EVENTSTORE_CONNECTION_STRING: esdb.connectionString } : {};
    // Phase 1: a flaky step, short-lived certificates renewed every second, a deletion.
    scs = await startScs({
      databaseUrl: central.url,
      env: { ...storeEnv, SCS_FAULTS: 'create_dns:flaky:1', SCS_LOCAL_CERT_VALIDITY_S: '6', SCS_RENEWAL_CHECK_S: '1' },
    });
    for (let i = 0; i < 3; i++)
      ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    for (const id of ids) await waitForStatus(scs, id, ['active']);
    await waitFor('a certificate renewal', async () => {
      const history = await scs!.request(`/school/${ids[1]}/history`);
      return history.body.events.some((e: { type: string }) => e.type === 'CertificateRenewed') || undefined;
    });
    await scs.request(`/school/${ids[0]}`, { method: 'DELETE' });
    await waitForStatus(scs, ids[0], ['deleted']);
    await scs.stop();
    // Phase 2: certificates fail for good, so the next school is rolled back; no more renewals.
    scs = await startScs({
      databaseUrl: central.url,
      env: { ...storeEnv, SCS_FAULTS: 'issue_certificate:fail', SCS_RENEWAL_CHECK_S: '0' },
    });
    ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    await waitForStatus(scs, ids[3], ['failed']);
  }, 120_000);
  afterAll(async () => {
    await scs?.stop();
    await esdb?.stop();
    await central?.drop();
  });

  const answers = async () => {
    const paths = [
      '/reports/onboarding?period=day',
      '/reports/onboarding?period=month&groupBy=board',
      '/reports/steps',
      '/reports/fleet',
      '/schools',
      ...ids.map((id) => `/school/${id}`),
    ];
    return Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await raw(p)).text])));
  };
  const caughtUp = () =>
    waitFor('every projection caught up', async () => {
      const { projections } = (await scs!.request('/projections')).body;
      return projections.every((p: { lag: number; state: string }) => p.lag === 0 && p.state === 'live')
        ? projections
        : undefined;
    });

  it('rebuilds every projection online and answers byte for byte as the live projections did', async () => {
    const listed = await caughtUp();
    expect(listed.map((p: { name: string }) => p.name)).toEqual(['school-read-model', 'onboarding', 'steps', 'fleet']);
    const live = await answers();
    const steps = JSON.parse(live['/reports/steps']).lines;
    expect(steps.find((l: { action: string }) => l.action === 'create_dns')).toMatchObject({ failures: 3, retries: 3 });
    expect(steps.find((l: { action: string }) => l.action === 'issue_certificate').topFailures[0].reason).toMatch(
      /injected failure/,
    );
    expect(steps.find((l: { action: string }) => l.action === 'renew_certificate').runs).toBeGreaterThan(0);
    const onboarding = JSON.parse(live['/reports/onboarding?period=day']).lines;
    expect(onboarding).toEqual([
      expect.objectContaining({
        district: 'Pune',
        board: 'CBSE',
        requested: 4,
        activated: 3,
        failed: 1,
        deleted: 1,
        medianSecondsToActive: expect.any(Number),
      }),
    ]);
    const fleet = JSON.parse(live['/reports/fleet']);
    expect(fleet.byStatus.map((s: { status: string; count: number }) => [s.status, s.count])).toEqual([
      ['active', 2],
      ['deleted', 1],
      ['failed', 1],
    ]);
    expect(fleet.stuck).toEqual([]);

    const { stdout } = await cli('projections', 'rebuild', '--all');
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toEqual(['rebuilt school-read-model', 'rebuilt onboarding', 'rebuilt steps', 'rebuilt fleet']);
    await caughtUp();
    expect(await answers()).toEqual(live);

    const list = await cli('projections', 'list');
    expect(list.stdout).toMatch(/^steps\s+\S+\s+0 live/m);
  });

  it('serves the audit log in store order with a stable cursor and as NDJSON; events say who, why, from where', async () => {
    const first = (await scs!.request('/school/' + ids[0] + '/history')).body.events[0];
    const actor = first.metadata.actor;
    const pages: Array<{ type: string; metadata: Record<string, unknown>; position: string }> = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const res: { status: number; body: { events: typeof pages; next: string | null } } = await scs!.request(
        `/audit/events?actor=${actor}&limit=2${cursor ? `&after=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      pages.push(...res.body.events);
      cursor = res.body.next;
    }
    // What the API key asked for: four schools and one deletion (and the slug claims).
    expect(pages.filter((e) => e.type === 'SchoolRequested')).toHaveLength(4);
    expect(pages.filter((e) => e.type === 'TeardownRequested')).toHaveLength(1);
    for (const e of pages) {
      expect(e.metadata).toMatchObject({
        actor,
        correlationId: expect.any(String),
        causationId: expect.any(String),
        clientAddress: expect.stringMatching(/127\.0\.0\.1/),
      });
    }
    const ndjson = await raw(`/audit/events?actor=${actor}`, 'application/x-ndjson');
    expect(ndjson.type).toMatch(/application\/x-ndjson/);
    expect(
      ndjson.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(pages);

    const bad = await scs!.request('/audit/events?after=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'after', message: 'is invalid' }]);
    expect((await scs!.request('/reports/onboarding?period=year')).body.errors[0].field).toBe('period');
  });

  it('exports the log as NDJSON and verifies the store against the read model and the registry', async () => {
    const exported = await cli('audit', 'export');
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.type === 'SchoolRequested')).toHaveLength(4);
    expect(exported.stderr).toMatch(/exported (\d+) of \1 events/);
    const verified = await cli('audit', 'verify');
    expect(verified.stdout).toMatch(/verified \d+ events in \d+ streams, 4 schools\nmismatches: 0/);

    const report = await cli('report', 'steps', '--format', 'csv');
    expect(report.stdout.split('\n')[0]).toBe('action,kind,runs,failures,retries,p50Ms,p95Ms,maxMs,topFailures');
  });
});
