import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshDatabase, query } from '../support/databases.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';
import { API_KEY, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function rows(url: string): Promise<unknown[]> {
  return query(url, 'SELECT * FROM school_read_model ORDER BY id');
}

// The CLI replays the event store the service uses: the central PostgreSQL database, or EventStoreDB.
describe.each(['postgres', 'eventstoredb'] as const)(
  'CLI on the %s event store: projections rebuild and school history',
  (eventStore) => {
    let central: Awaited<ReturnType<typeof freshDatabase>>;
    let esdb: EsdbTestServer | undefined;
    let storeEnv: Record<string, string> = {};
    let scs: ScsProcess | undefined;
    const ids: string[] = [];

    beforeAll(async () => {
      central = await freshDatabase('scs_cli');
      esdb = eventStore === 'eventstoredb' ? await startEsdbTestServer() : undefined;
      storeEnv = esdb ? { EVENTSTORE_CONNECTION_STRING: esdb.connectionString } : {};
      scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:flaky:1', ...storeEnv } });
      for (let i = 0; i < 3; i++)
        ids.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
      for (const id of ids) await waitForStatus(scs, id, ['active']);
      await scs.request(`/school/${ids[0]}`, { method: 'DELETE' });
      await waitForStatus(scs, ids[0], ['deleted']);
    });
    afterAll(async () => {
      await scs?.stop();
      await esdb?.stop();
      await central?.drop();
    });

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
      });

    it('rebuilds the read model from the first event into the same rows, while the service runs', async () => {
      const before = await rows(central.url);
      expect(before).toHaveLength(3);
      const { stdout, stderr } = await cli('projections', 'rebuild', 'school-read-model');
      expect(stdout).toMatch(/rebuilt school-read-model: \d+ events in [\d.]+ s \(\d+ events\/s\)/);
      // The progress sized itself from the store's head position (the events may live in EventStoreDB);
      // stderr is a pipe here, so it is plain lines, not a bar.
      expect(stderr).toMatch(/rebuilding school-read-model 100% \| [1-9]\d* events/);
      expect(await rows(central.url)).toEqual(before);

      // The live projection goes on after the swap.
      const next = await scs!.request('/school', { method: 'POST', json: schoolBody() });
      const school = await waitForStatus(scs!, next.body.id, ['active']);
      const after = await rows(central.url);
      expect(after).toHaveLength(4);
      expect(after.some((r) => (r as { id: string }).id === school.id)).toBe(true);
    });

    it('prints a school history in order', async () => {
      const { stdout } = await cli('school', 'history', ids[0]);
      const types = stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/)[2]);
      expect(types[0]).toBe('SchoolRequested');
      expect(types).toContain('StepAttemptFailed');
      expect(types.at(-1)).toBe('SchoolDeleted');
    });

    it('says so for an unknown school and an unknown command', async () => {
      await expect(cli('school', 'history', '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b')).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/no school/),
      });
      await expect(cli('nonsense')).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/unknown command/),
      });
    });
  },
);
