import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../support/databases.js';
import { freePort } from '../support/self-hosted.js';
import {
  expectSettledOnce,
  reconcileReport,
  schoolBody,
  startScs,
  waitForLog,
  waitForReady,
  waitForStatus,
  type ScsProcess,
} from '../support/scs-process.js';

const logText = (scs: ScsProcess) => scs.logs.join('');

describe('SIGTERM in the middle of a 20-school burst', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;

  beforeAll(async () => {
    central = await freshDatabase('scs_sigterm');
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('drains and exits 0; after a restart every school finishes with each step once', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_RECONCILE_INTERVAL_S: '0' } });
    const burst = Array.from({ length: 20 }, () => scs!.request('/school', { method: 'POST', json: schoolBody() }));
    const answers = await Promise.all(burst);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    // Steps are running when the signal comes.
    await waitForLog(scs, /create_database attempt 1/, 15_000, 20);
    const first = scs;
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect({ ...exit, drained: /SIGTERM: drained and stopped in \d+ ms; exiting 0/.test(logText(first)) }).toEqual({
      code: 0,
      signal: null,
      drained: true,
    });
    expect(logText(first)).toMatch(/SIGTERM: finishing in-flight steps and stopping \(\d+ school\(s\) in flight/);

    scs = await startScs({ databaseUrl: central.url, dataDir: first.dataDir, env: { SCS_RECONCILE_INTERVAL_S: '0' } });
    const statuses = [];
    for (const answer of answers) statuses.push(await expectSettledOnce(scs, answer.body.id));
    expect(statuses).toEqual(Array(20).fill('active'));
    expect((await reconcileReport(central.url)).stdout).toContain('orphans: 0, drift: 0');
  }, 180_000);
});

describe('the embedded PostgreSQL, owned by SCS', () => {
  let dataDir: string;
  let scs: ScsProcess | undefined;
  const pidFile = () => join(dataDir, 'embedded/postgres/postmaster.pid');
  const postmasterPid = () => Number(readFileSync(pidFile(), 'utf8').split('\n')[0]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scs-embedded-'));
    chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the `postgres` user, which must reach its folder
    const port = String(await freePort());
    scs = await startScs({ dataDir, env: { SCS_EMBEDDED_PG_PORT: port, SCS_RECONCILE_INTERVAL_S: '0' } });
  }, 120_000);
  afterAll(async () => {
    await scs?.stop();
    try {
      process.kill(postmasterPid(), 'SIGINT'); // only if a failed test left it running
    } catch {
      /* stopped */
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is restarted when it dies, and stopped last, after the drain, on SIGTERM', async () => {
    const before = (await scs!.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    expect((await waitForStatus(scs!, before, ['active', 'failed'], 60_000)).status).toBe('active');

    const killed = postmasterPid();
    process.kill(killed, 'SIGKILL');
    await waitForLog(scs!, /embedded PostgreSQL restarted \(restart 1/, 60_000);
    expect(postmasterPid()).not.toBe(killed);
    await waitForReady(scs!);
    const after = (await scs!.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    expect(await expectSettledOnce(scs!, after)).toBe('active');
    expect(scs!.child.exitCode).toBeNull();

    scs!.child.kill('SIGTERM');
    expect(await scs!.exited).toEqual({ code: 0, signal: null });
    const log = logText(scs!);
    const signalAt = log.indexOf('SIGTERM: finishing in-flight steps');
    const stoppedAt = log.indexOf('embedded PostgreSQL stopped');
    const exitAt = log.indexOf('exiting 0');
    expect({
      signalAt: signalAt >= 0,
      stoppedAfterSignal: stoppedAt > signalAt,
      exitLineAfterStop: exitAt > stoppedAt,
    }).toEqual({ signalAt: true, stoppedAfterSignal: true, exitLineAfterStop: true });
    // Stopped last: no connection of SCS was still open when it went down, and it shut down cleanly.
    const lost = log
      .slice(signalAt)
      .split('\n')
      .filter((line) => /connection lost|terminating connection/.test(line));
    expect(lost).toEqual([]);
    expect(existsSync(pidFile())).toBe(false);
  }, 180_000);
});
