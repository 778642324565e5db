import { runCli } from '../support/cli.js';
import { freshDatabase, query, urlForDatabase } from '../support/databases.js';
import { asSchool, fillAsSchool, schoolRows, type SchoolRows } from '../support/school-rows.js';
import {
  reconcileReport,
  schoolBody,
  startScs,
  waitFor,
  waitForStatus,
  type ScsProcess,
} from '../support/scs-process.js';

const KEY = 'c3'.repeat(32);
// Without pg_dump on its PATH SCS archives as JSON lines, as in the Docker image's embedded default.
const ENV = { SCS_CREDENTIALS_KEY: KEY, PATH: '/nonexistent' };

const types = async (scs: ScsProcess, id: string): Promise<string[]> =>
  (await scs.request(`/school/${id}/history`)).body.events.map((e: { type: string }) => e.type);

const SLOW = 600_000;
/** The machine the suites run on may be loaded: a status is waited for this long. */
const WAIT = 180_000;

describe('restoring a deleted school from its archive (real PostgreSQL, real process)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let school: { id: string; slug: string; databaseName: string };
  let before: SchoolRows;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e_restore');
    scs = await startScs({ databaseUrl: central.url, env: ENV, startTimeoutMs: 180_000 });
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    school = await waitForStatus(scs, created.body.id, ['active'], WAIT);
    await fillAsSchool(scs, school.id);
    before = await schoolRows(school.databaseName);
    expect(await scs.request(`/school/${school.id}`, { method: 'DELETE' })).toMatchObject({ status: 202 });
    await waitForStatus(scs, school.id, ['deleted'], WAIT);
  }, SLOW);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  }, SLOW);

  it(
    'refuses an unknown school (404) and one that is not deleted (409 not-deleted)',
    async () => {
      const unknown = await scs.request('/school/00000000-0000-4000-8000-000000000000/restore', { method: 'POST' });
      expect(unknown.status).toBe(404);
      const other = await scs.request('/school', { method: 'POST', json: schoolBody() });
      await waitForStatus(scs, other.body.id, ['active'], WAIT);
      const live = await scs.request(`/school/${other.body.id}/restore`, { method: 'POST', json: {} });
      expect(live.status).toBe(409);
      expect(live.body.type).toMatch(/\/not-deleted$/);
      const bad = await scs.request(`/school/${school.id}/restore`, { method: 'POST', json: { notify: 'yes' } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'notify', message: 'must be a boolean' }]);
    },
    SLOW,
  );

  it(
    'a restore that fails half-way undoes what it made: the school stays deleted, reconcile finds nothing',
    async () => {
      await scs.stop();
      scs = await startScs({
        databaseUrl: central.url,
        dataDir: scs.dataDir,
        env: { ...ENV, SCS_FAULTS: 'issue_certificate:fail' },
        startTimeoutMs: 180_000,
      });
      const res = await scs.request(`/school/${school.id}/restore`, { method: 'POST', json: {} });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        id: school.id,
        slug: school.slug,
        status: 'restoring',
        archive: { format: 'scs-jsonl-v1' },
      });
      const failed = await waitFor(
        'the restore to fail',
        async () => {
          const { body } = await scs.request(`/school/${school.id}`);
          return body.status === 'active' || body.restore?.status === 'failed' ? body : undefined;
        },
        WAIT,
      );
      expect(failed.status).toBe('deleted');
      expect(failed.restore).toMatchObject({
        status: 'failed',
        failedStep: 'issue_certificate',
        reason: expect.stringMatching(/injected failure/),
      });
      // A compensation meeting a slow server is retried until it succeeds (StepAttemptFailed): not part of the order.
      const history = (await types(scs, school.id)).filter((t) => t !== 'StepAttemptFailed');
      expect(history.slice(history.lastIndexOf('SchoolRestoreRequested'))).toEqual([
        'SchoolRestoreRequested',
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
        'SchoolRestoreFailed',
      ]);
      const databases = await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_database WHERE datname = $1', [
        school.databaseName,
      ]);
      expect(databases).toHaveLength(0);
      const report = await reconcileReport(central.url, { SCS_DATA_DIR: scs.dataDir, SCS_CREDENTIALS_KEY: KEY });
      expect(report.stdout).toContain('orphans: 0, drift: 0');
    },
    SLOW,
  );

  it(
    'restores it (scs school restore <slug>): same id, slug, rows and sequences; DNS, a certificate; visible everywhere',
    async () => {
      await scs.stop();
      scs = await startScs({ databaseUrl: central.url, dataDir: scs.dataDir, env: ENV, startTimeoutMs: 180_000 });
      const cli = await runCli(central.url, ['school', 'restore', school.slug, '--notify', '--json'], {
        SCS_DATA_DIR: scs.dataDir,
        SCS_CREDENTIALS_KEY: KEY,
      });
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ id: school.id, slug: school.slug, status: 'restoring' });
      const restored = await waitForStatus(scs, school.id, ['active'], WAIT);
      expect(restored).toMatchObject({
        id: school.id,
        slug: school.slug,
        status: 'active',
        restore: { status: 'restored' },
      });
      expect(restored.dns).toMatchObject({ name: restored.subdomain });
      expect(restored.certificate.serialNumber).toEqual(expect.any(String));
      expect(restored.steps.map((s: { status: string }) => s.status)).toEqual(Array(8).fill('succeeded'));

      const after = await schoolRows(school.databaseName);
      expect(after.tables).toEqual(before.tables);
      expect(after.sequences).toMatchObject(before.sequences);
      // The school's role (a new password) writes on: the sequence continues after the deleted rows.
      const app = await asSchool(scs, school.id);
      try {
        const { rows } = await app.query(`INSERT INTO roles (code, name) VALUES ('new', 'New') RETURNING id::text`);
        expect(rows[0].id).toBe(String(Number(before.sequences.roles_id_seq) + 1));
      } finally {
        await app.end();
      }
      const events = (await scs.request(`/school/${school.id}/history`)).body.events;
      const database = events.findLast((e: { type: string }) => e.type === 'DatabaseCreated');
      expect(database.data).toMatchObject({
        method: 'archive',
        restoredFrom: { format: 'scs-jsonl-v1', schemaVersion: expect.any(String) },
      });
      const kinds = events.map((e: { type: string }) => e.type);
      expect(kinds.slice(kinds.lastIndexOf('SchoolRestoreRequested'))).toContain('SchoolRestored');
      expect(events.some((e: { type: string }) => e.type === 'WelcomeEmailSent')).toBe(true);

      const report = await reconcileReport(central.url, { SCS_DATA_DIR: scs.dataDir, SCS_CREDENTIALS_KEY: KEY });
      expect(report.stdout).toContain('orphans: 0, drift: 0');
      const metrics = await scs.request('/metrics');
      expect(String(metrics.body)).toMatch(/scs_school_restore_duration_seconds_count\{outcome="restored"\} 1/);
      const verify = await runCli(central.url, ['audit', 'verify'], {
        SCS_DATA_DIR: scs.dataDir,
        SCS_CREDENTIALS_KEY: KEY,
      });
      expect(verify.code).toBe(0);
    },
    SLOW,
  );

  it(
    '409 slug-taken when another school claimed the slug since',
    async () => {
      const body = schoolBody();
      const first = await scs.request('/school', { method: 'POST', json: body });
      await waitForStatus(scs, first.body.id, ['active'], WAIT);
      await scs.request(`/school/${first.body.id}`, { method: 'DELETE' });
      await waitForStatus(scs, first.body.id, ['deleted'], WAIT);
      const second = await scs.request('/school', { method: 'POST', json: body });
      await waitForStatus(scs, second.body.id, ['active'], WAIT);
      const res = await scs.request(`/school/${first.body.id}/restore`, { method: 'POST' });
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 409,
        body: { type: expect.stringMatching(/\/slug-taken$/), slug: body.slug },
      });
      expect((await scs.request(`/school/${first.body.id}`)).body.status).toBe('deleted');
    },
    SLOW,
  );
});
