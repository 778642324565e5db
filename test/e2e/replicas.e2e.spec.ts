import { freshDatabase, query } from '../support/databases.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';
import {
  reconcileReport,
  schoolBody,
  startScs,
  waitFor,
  type ScsProcess,
  STEP_EVENTS,
} from '../support/scs-process.js';

const SCHOOLS = 30;

describe.each(['postgres', 'eventstoredb'] as const)(
  'three replicas on one %s event store, one killed mid-way',
  (eventStore) => {
    let central: Awaited<ReturnType<typeof freshDatabase>>;
    let esdb: EsdbTestServer | undefined;
    const replicas: ScsProcess[] = [];

    beforeAll(async () => {
      central = await freshDatabase('scs_replicas');
      // EventStoreDB: the gRPC test server runs in this process, outside the replicas, like a real server would.
      esdb = eventStore === 'eventstoredb' ? await startEsdbTestServer() : undefined;
      const env: Record<string, string> = {
        SCS_CONCURRENCY: '3',
        ...(esdb ? { EVENTSTORE_CONNECTION_STRING: esdb.connectionString } : {}),
      };
      for (let i = 0; i < 3; i++) replicas.push(await startScs({ databaseUrl: central.url, env }));
    });
    afterAll(async () => {
      for (const replica of replicas.splice(0)) await replica.stop();
      await esdb?.stop();
      await central?.drop();
    });

    it(`provisions ${SCHOOLS} schools: all active, each step's event once, each step run by one replica`, async () => {
      const ids: string[] = [];
      for (let i = 0; i < SCHOOLS; i++) {
        const res = await replicas[i % 3].request('/school', { method: 'POST', json: schoolBody() });
        expect(res.status).toBe(202);
        ids.push(res.body.id);
      }
      await new Promise((r) => setTimeout(r, 300));
      replicas[0].child.kill('SIGKILL');
      await replicas[0].exited;

      const survivor = replicas[1];
      await waitFor(
        'every school to settle',
        async () => {
          const list = await survivor.request('/schools?limit=500');
          return list.body.items.filter((s: { status: string }) => s.status === 'active').length === SCHOOLS
            ? list
            : undefined;
        },
        120_000,
        250,
      );
      for (const id of ids) {
        const types: string[] = (await survivor.request(`/school/${id}/history`)).body.events.map(
          (e: { type: string }) => e.type,
        );
        for (const type of STEP_EVENTS) expect(types.filter((t) => t === type)).toHaveLength(1);
      }
      // One certificate and one registry row per school: no step's side effect ran twice at once.
      expect((await query(central.url, 'SELECT count(*)::int AS n FROM local_certificates'))[0].n).toBe(SCHOOLS);
      expect((await query(central.url, 'SELECT count(*)::int AS n FROM school_registry'))[0].n).toBe(SCHOOLS);
      const worked = replicas.map((r) => (r.logs.join('').match(/create_database attempt/g) ?? []).length);
      if (esdb) expect((await query(central.url, 'SELECT count(*)::int AS n FROM scs_events'))[0].n).toBe(0); // every event went to EventStoreDB
      console.log(
        `replicas (${eventStore}): create_database runs per replica ${worked.join(', ')}; replica 0 killed after its share`,
      );
      expect(worked.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      const storeEnv: Record<string, string> = esdb ? { EVENTSTORE_CONNECTION_STRING: esdb.connectionString } : {};
      expect((await reconcileReport(central.url, storeEnv)).stdout).toContain('orphans: 0, drift: 0');
    }, 180_000);
  },
);
