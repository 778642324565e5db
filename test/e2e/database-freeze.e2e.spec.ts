import pg from 'pg';
import { KillablePostgres } from '../support/killable-postgres.js';
import {
  expectSettledOnce,
  schoolBody,
  startScs,
  waitFor,
  waitForReady,
  waitForStatus,
  type ScsProcess,
} from '../support/scs-process.js';

/** What "fail fast" promises: every request answers within this while the database answers nothing. */
const ANSWER_WITHIN_MS = 5000;
/** How long the server stays frozen: longer than any deadline, so that the background work meets them too. */
const FROZEN_MS = 8000;

interface Timed {
  path: string;
  status: number;
  ms: number;
  type: string | null;
  retryAfter: string | null;
}

describe('the database server frozen (SIGSTOP: there, but answering nothing)', () => {
  let server: KillablePostgres;
  let scs: ScsProcess;

  beforeAll(async () => {
    // A server of this test's own: freezing it disturbs no other suite and never the machine's shared one.
    server = await KillablePostgres.start('scs-pg-freeze');
    scs = await startScs({ databaseUrl: server.url('scs'), env: { SCS_RECONCILE_INTERVAL_S: '0' } });
  }, 120_000);
  afterAll(async () => {
    server?.thaw();
    await scs?.stop();
    await server?.remove();
  }, 60_000);

  /** The request, timed; given up after 30 s so that a request that would wait for the server shows. */
  const timed = async (path: string, init: Parameters<ScsProcess['request']>[1] = {}): Promise<Timed> => {
    const started = Date.now();
    try {
      const res = await scs.request(path, { ...init, signal: AbortSignal.timeout(30_000) });
      const [type, retryAfter] = [res.headers.get('content-type'), res.headers.get('retry-after')];
      return { path, status: res.status, ms: Date.now() - started, type, retryAfter };
    } catch {
      return { path, status: 0, ms: Date.now() - started, type: null, retryAfter: null };
    }
  };

  it('answers every request within 5 s while it is frozen, then settles every school once', async () => {
    const known = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
    await waitForStatus(scs, known, ['active']);
    // One school still provisioning when the server stops: its steps meet the freeze.
    const inFlight = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id as string;
    const frozenAt = Date.now();
    server.freeze();
    const rounds: Timed[][] = [];
    try {
      for (let round = 0; round < 2; round++) {
        rounds.push(
          await Promise.all([
            timed(`/school/${known}`),
            timed('/schools'),
            timed('/school', { method: 'POST', json: schoolBody() }),
            timed('/ready', { key: null }),
          ]),
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + FROZEN_MS - Date.now())));
    } finally {
      server.thaw();
    }
    console.log(
      `answers while frozen (ms):\n${rounds.map((r) => r.map((t) => `${t.path} ${t.status} ${t.ms}`).join(', ')).join('\n')}`,
    );
    for (const answer of rounds.flat()) {
      expect({ ...answer, fast: answer.ms < ANSWER_WITHIN_MS }).toEqual({
        path: answer.path,
        status: 503,
        ms: answer.ms,
        fast: true,
        type: expect.stringContaining(answer.path === '/ready' ? 'application/json' : 'application/problem+json'),
        retryAfter: answer.path === '/ready' ? null : '5',
      });
    }

    await waitForReady(scs);
    expect(scs.child.exitCode).toBeNull();
    // Every school the events hold settles once, including one whose 503 hid a request the server took.
    const listed = await waitFor('the list', async () => {
      const res = await scs.request('/schools?limit=500');
      return res.status === 200 ? (res.body.items as Array<{ id: string }>) : undefined;
    });
    const ids = new Set([known, inFlight, ...listed.map((s) => s.id)]);
    for (const id of ids) expect(await expectSettledOnce(scs, id)).toBe('active');
    expect(scs.logs.join('')).not.toMatch(/Unhandled 'error' event/);
    // The connections given up on are closed, not kept: SCS's sessions stay within its pools' sizes.
    const client = new pg.Client({ connectionString: server.url('postgres') });
    await client.connect();
    try {
      const sessions = async () =>
        Number(
          (
            await client.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
            )
          ).rows[0].n,
        );
      // 10 (pg pool) + 8 (TypeORM) + 13 (locks: concurrency + 1 + projections) + 8 (tenant sessions) + 1 (LISTEN)
      expect(
        await waitFor('the given-up sessions to end', async () => ((await sessions()) <= 40 ? true : undefined)),
      ).toBe(true);
    } finally {
      await client.end();
    }
  }, 120_000);
});
