import { KillablePostgres } from '../support/killable-postgres.js';
import {
  expectSettledOnce,
  reconcileReport,
  schoolBody,
  startScs,
  waitFor,
  waitForReady,
  type ScsProcess,
} from '../support/scs-process.js';

/** How long after the burst starts, or after the previous recovery, each SIGKILL of the postmaster comes. */
const KILL_AFTER_MS = [150, 400, 1200, 50, 2000];

describe('the database server killed under a 20-school burst', () => {
  let server: KillablePostgres;
  let url: string;
  let scs: ScsProcess;

  beforeAll(async () => {
    // A server of this test's own: killing it disturbs no other suite and never the machine's shared one.
    server = await KillablePostgres.start('scs-pg-kill');
    url = server.url('scs');
    // Retries slow enough that a step outlives an outage of a few seconds.
    const env = { SCS_RETRY_BASE_MS: '500', SCS_RETRY_MAX_MS: '3000', SCS_RECONCILE_INTERVAL_S: '0' };
    scs = await startScs({ databaseUrl: url, env });
  }, 120_000);
  afterAll(async () => {
    await scs?.stop();
    await server?.remove();
  }, 60_000);

  it('never exits, answers 503 while it is down, and then settles every school once', async () => {
    const posts = Array.from({ length: 20 }, () => scs.request('/school', { method: 'POST', json: schoolBody() }));
    const known = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
    for (const [round, delay] of KILL_AFTER_MS.entries()) {
      await new Promise((r) => setTimeout(r, delay));
      server.kill();
      const down = await waitFor(
        `/ready to say not ready (kill ${round + 1})`,
        async () => {
          const res = await scs.request('/ready', { key: null });
          return res.status === 503 ? res : undefined;
        },
        15_000,
        50,
      );
      expect(down.body.checks.database.ok).toBe(false);
      expect((await scs.request('/health', { key: null })).status).toBe(200);
      // Every route, reads included, answers 503 problem+json with Retry-After while it is down.
      for (const [path, init] of [
        [`/school/${known}`, {}],
        ['/schools', {}],
        [`/school/${known}/history`, {}],
        ['/school', { method: 'POST', json: schoolBody() }],
      ] as const) {
        const res = await scs.request(path, init);
        const type = res.headers.get('content-type');
        expect({ path, status: res.status, type, retryAfter: res.headers.get('retry-after') }).toEqual({
          path,
          status: 503,
          type: expect.stringContaining('application/problem+json'),
          retryAfter: '5',
        });
      }
      await server.restart();
      await waitForReady(scs);
      expect(scs.child.exitCode).toBeNull();
    }
    const answers = await Promise.all(posts);
    // A POST that met the outage was refused with 503; none failed any other way.
    expect(answers.map((a) => a.status).filter((s) => s !== 202 && s !== 503)).toEqual([]);

    // Every school the events hold, including any whose 503 answer hid a stored request, settles once.
    const listed = await waitFor('the list', async () => {
      const res = await scs.request('/schools?limit=500');
      return res.status === 200 ? (res.body.items as Array<{ id: string }>) : undefined;
    });
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.id as string);
    const ids = new Set([known, ...listed.map((s) => s.id), ...accepted]);
    const statuses = [];
    for (const id of ids) statuses.push(await expectSettledOnce(scs, id));
    expect(statuses.filter((s) => s === 'active').length).toBeGreaterThan(0);
    expect(scs.child.exitCode).toBeNull();
    expect(scs.logs.join('')).not.toMatch(/Unhandled 'error' event/);
    const report = await reconcileReport(url);
    expect(report.stdout).toContain('orphans: 0, drift: 0');
  }, 180_000);
});
