import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitFor, type ScsProcess, STEP_EVENTS } from '../support/scs-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHOOLS = 16;
const KILLS = 4;

describe('SIGKILL soak: schools provisioned while the service is killed at random moments', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;

  beforeAll(async () => {
    central = await freshDatabase('scs_soak');
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it(`provisions ${SCHOOLS} schools through ${KILLS} SIGKILLs: all active, each step once, no orphan`, async () => {
    // One school at a time keeps many of them in flight across the kills.
    scs = await startScs({ databaseUrl: central.url, env: { SCS_CONCURRENCY: '2' } });
    const dataDir = scs.dataDir;
    const answers = await Promise.all(
      Array.from({ length: SCHOOLS }, (_, i) =>
        scs!.request('/school', { method: 'POST', json: schoolBody(), headers: { 'Idempotency-Key': `soak-${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(SCHOOLS).fill(202));
    const ids = answers.map((a) => a.body.id as string);

    const killedAt: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 500)));
      const active = (await scs.request('/schools?status=active&limit=500')).body.total;
      killedAt.push(active);
      scs.child.kill('SIGKILL');
      await scs.exited;
      scs = await startScs({ databaseUrl: central.url, dataDir, env: { SCS_CONCURRENCY: '2' } });
    }
    console.log(`soak: killed ${KILLS} times with ${killedAt.join(', ')} of ${SCHOOLS} schools active`);
    expect(killedAt.some((n) => n < SCHOOLS)).toBe(true); // the kills hit work in flight

    await waitFor(
      'every school to settle',
      async () => {
        const list = await scs!.request('/schools?limit=500');
        return list.body.items.filter((s: { status: string }) => ['active', 'failed'].includes(s.status)).length ===
          SCHOOLS
          ? list
          : undefined;
      },
      90_000,
      250,
    );
    for (const id of ids) {
      const school = (await scs.request(`/school/${id}`)).body;
      expect(school.status).toBe('active');
      const types: string[] = (await scs.request(`/school/${id}/history`)).body.events.map(
        (e: { type: string }) => e.type,
      );
      for (const type of STEP_EVENTS) expect(types.filter((t) => t === type)).toHaveLength(1);
    }
    const { stdout } = await run(process.execPath, ['dist/src/cli/main.js', 'reconcile'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: central.url, SCS_API_KEY: API_KEY, NODE_ENV: 'test' },
    });
    expect(stdout).toContain('orphans: 0, drift: 0');
  }, 180_000);
});
