import { freshDatabase, query, urlForDatabase } from '../support/databases.js';
import {
  reconcileReport,
  schoolBody,
  STEP_EVENTS,
  startScs,
  waitFor,
  waitForStatus,
  type ScsProcess,
} from '../support/scs-process.js';

const eventTypes = async (scs: ScsProcess, id: string): Promise<string[]> =>
  (await scs.request(`/school/${id}/history`)).body.events.map((e: { type: string }) => e.type);

describe('fault injection (SCS_FAULTS): failure, retry, crash and restart', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;

  beforeEach(async () => {
    central = await freshDatabase('scs_faults');
  });
  afterEach(async () => {
    await scs?.stop();
    scs = undefined;
    // Every failure path above must leave nothing the events do not account for.
    const report = await reconcileReport(central.url);
    await central.drop();
    expect(report.stdout).toContain('orphans: 0, drift: 0');
  });

  it('issue_certificate:fail → failed, with the database dropped, the DNS record removed and the slug free', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'issue_certificate:fail' } });
    const body = schoolBody();
    const created = await scs.request('/school', { method: 'POST', json: body });
    const school = await waitForStatus(scs, created.body.id, ['failed', 'active']);
    expect(school.status).toBe('failed');
    expect(school.failedStep).toBe('issue_certificate');
    expect(school.failureReason).toMatch(/injected failure/);
    expect(school.steps.find((s: { name: string }) => s.name === 'create_database').status).toBe('undone');
    expect(school.steps.find((s: { name: string }) => s.name === 'register_school').status).toBe('skipped');

    await expectNothingLeft(central.url, school);
    expect(await eventTypes(scs, school.id)).toEqual([
      'SchoolRequested',
      'SlugReserved',
      'DatabaseCreated',
      'MigrationsApplied',
      'DnsRecordCreated',
      'ProvisioningStepFailed',
      'RollbackStarted',
      'CertificateRevoked',
      'DnsRecordDeleted',
      'DatabaseDropped',
      'SlugReleased',
      'SchoolRolledBack',
    ]);
    // The slug is free again.
    await scs.stop();
    scs = await startScs({ databaseUrl: central.url });
    const again = await scs.request('/school', { method: 'POST', json: body });
    expect(again.status).toBe(202);
    expect((await waitForStatus(scs, again.body.id, ['active', 'failed'])).status).toBe('active');
  });

  it('create_dns:flaky:2 → retried with backoff, then active, with the attempts shown', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:flaky:2' } });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(scs, created.body.id, ['active', 'failed']);
    expect(school.status).toBe('active');
    expect(school.steps.find((s: { name: string }) => s.name === 'create_dns')).toMatchObject({
      status: 'succeeded',
      attempts: 3,
    });
    const types = await eventTypes(scs, school.id);
    expect(types.filter((t) => t === 'StepAttemptFailed')).toHaveLength(2);
    expect(types.filter((t) => t === 'DnsRecordCreated')).toHaveLength(1);
  });

  it('create_dns:flaky:10 with 3 attempts → gives up after the third and rolls back cleanly', async () => {
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_FAULTS: 'create_dns:flaky:10', SCS_RETRY_MAX_ATTEMPTS: '3' },
    });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(scs, created.body.id, ['failed', 'active']);
    expect(school).toMatchObject({
      status: 'failed',
      failedStep: 'create_dns',
      failureReason: expect.stringMatching(/gave up after 3 attempts/),
    });
    expect(school.steps.find((s: { name: string }) => s.name === 'create_dns')).toMatchObject({
      status: 'failed',
      attempts: 3,
    });
    expect(
      await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [school.databaseName]),
    ).toHaveLength(0);
  });

  it('DELETE while still provisioning rolls back what was done and ends deleted', async () => {
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_FAULTS: 'issue_certificate:flaky:3', SCS_RETRY_BASE_MS: '300' },
    });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    await waitFor('the certificate step to be retrying', async () => {
      const res = await scs!.request(`/school/${created.body.id}`);
      return res.body.steps?.find(
        (s: { name: string; status: string }) => s.name === 'issue_certificate' && s.status === 'retrying',
      )
        ? res
        : undefined;
    });
    const deleted = await scs.request(`/school/${created.body.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    const school = await waitForStatus(scs, created.body.id, ['deleted']);
    expect(school.compensations.map((c: { name: string }) => c.name)).toEqual([
      'revoke_certificate',
      'delete_dns',
      'drop_database',
      'release_slug',
    ]);
    expect(
      await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [school.databaseName]),
    ).toHaveLength(0);
  });

  it('send_welcome_email:fail → active with a warning', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'send_welcome_email:fail' } });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(scs, created.body.id, ['active', 'failed']);
    expect(school.status).toBe('active');
    expect(school.warnings).toEqual([expect.stringMatching(/welcome email not sent/)]);
    expect(school.steps.find((s: { name: string }) => s.name === 'send_welcome_email').status).toBe('warning');
  });

  // One school crashes after each step's side effect in turn (a crash fires once per school and step):
  // each restart must pick the school up where its events say it is and go on, never doing a step twice.
  // One school through every crash, not one suite run per step: the same crashes at a fifth of the starts.
  const CRASH_EVERY_STEP = [
    'create_database',
    'run_migrations',
    'create_dns',
    'issue_certificate',
    'register_school',
    'send_welcome_email',
  ];

  /**
   * Restarts SCS (same data folder, same faults) after each crash, as many times as there are `actions`;
   * returns the actions in the order they crashed (read from each process's own output).
   */
  async function crashThrough(actions: string[], env: Record<string, string>, dataDir: string): Promise<string[]> {
    const crashed: string[] = [];
    for (let i = 0; i < actions.length; i++) {
      const exit = await scs!.exited;
      const said = /SCS_FAULTS: (\w+):crash/.exec(scs!.logs.join(''));
      if (exit.signal !== 'SIGKILL' || !said)
        throw new Error(
          `expected crash ${i + 1} of ${actions.length} after ${crashed.join(', ')}: ${JSON.stringify(exit)}`,
        );
      crashed.push(said[1]);
      scs = await startScs({ databaseUrl: central.url, dataDir, env });
    }
    return crashed;
  }

  it('a crash after each provisioning step in turn → after each restart it goes on; active with each event once', async () => {
    const env = { SCS_FAULTS: CRASH_EVERY_STEP.map((step) => `${step}:crash`).join(',') };
    scs = await startScs({ databaseUrl: central.url, env });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    expect(created.status).toBe(202);
    expect(await crashThrough(CRASH_EVERY_STEP, env, scs.dataDir)).toEqual(CRASH_EVERY_STEP);

    const school = await waitForStatus(scs!, created.body.id, ['active', 'failed']);
    expect(school.status).toBe('active');
    const types = await eventTypes(scs!, school.id);
    for (const type of STEP_EVENTS) {
      expect(types.filter((t) => t === type)).toHaveLength(1);
    }
    // No duplicate resource: one certificate, one registry row, one DNS record.
    expect(await query(central.url, 'SELECT 1 FROM local_certificates WHERE school_id = $1', [school.id])).toHaveLength(
      1,
    );
    expect(await query(central.url, 'SELECT 1 FROM school_registry WHERE school_id = $1', [school.id])).toHaveLength(1);
    expect(
      await query(central.url, 'SELECT 1 FROM local_dns_records WHERE name = $1', [school.subdomain]),
    ).toHaveLength(1);
  });

  it('a crash after each undo of a DELETE in turn → after each restart it goes on; deleted, each undo once, nothing left', async () => {
    const undos = ['unregister_school', 'revoke_certificate', 'delete_dns', 'drop_database', 'release_slug'];
    const env = { SCS_FAULTS: undos.map((undo) => `${undo}:crash`).join(',') };
    scs = await startScs({ databaseUrl: central.url, env });
    const body = schoolBody();
    const created = await scs.request('/school', { method: 'POST', json: body });
    const school = await waitForStatus(scs, created.body.id, ['active']);
    expect((await scs.request(`/school/${school.id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await crashThrough(undos, env, scs.dataDir)).sort()).toEqual([...undos].sort());

    await waitForStatus(scs!, school.id, ['deleted']);
    const types = await eventTypes(scs!, school.id);
    for (const type of [
      'TeardownRequested',
      'SchoolUnregistered',
      'CertificateWithdrawn',
      'CertificateRevoked',
      'DnsRecordDeleted',
      'DatabaseDropped',
      'SlugReleased',
      'SchoolDeleted',
    ]) {
      expect(types.filter((t) => t === type)).toHaveLength(1);
    }
    await expectNothingLeft(central.url, school);
    // The slug is free again.
    expect((await scs!.request('/school', { method: 'POST', json: body })).status).toBe(202);
  });

  it('refuses SCS_FAULTS in production', async () => {
    await expect(
      startScs({ databaseUrl: central.url, env: { NODE_ENV: 'production', SCS_FAULTS: 'create_dns:fail' } }),
    ).rejects.toThrow(/SCS_FAULTS is for tests/);
  });
});

/** No database, DNS record, live certificate or registry row is left of a school. */
async function expectNothingLeft(
  centralUrl: string,
  school: { id: string; databaseName: string; subdomain: string },
): Promise<void> {
  expect(
    await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [school.databaseName]),
  ).toHaveLength(0);
  expect(await query(centralUrl, 'SELECT 1 FROM local_dns_records WHERE name = $1', [school.subdomain])).toHaveLength(
    0,
  );
  expect(
    await query(centralUrl, 'SELECT 1 FROM local_certificates WHERE school_id = $1 AND revoked_at IS NULL', [
      school.id,
    ]),
  ).toHaveLength(0);
  expect(await query(centralUrl, 'SELECT 1 FROM school_registry WHERE school_id = $1', [school.id])).toHaveLength(0);
}
