import { freshDatabase, query } from '../support/databases.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';
import {
  reconcileReport,
  schoolBody,
  startScs,
  waitFor,
  waitForStatus,
  type ScsProcess,
} from '../support/scs-process.js';

describe('SCS on EventStoreDB (the gRPC test server), including an outage of the event store', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let esdb: EsdbTestServer;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_esdb');
    esdb = await startEsdbTestServer();
    // The EventStoreDB client's scheme, which operators' settings still carry; the other suites use kurrentdb://.
    const esdbScheme = esdb.connectionString.replace(/^kurrentdb:/, 'esdb:');
    scs = await startScs({ databaseUrl: central.url, env: { EVENTSTORE_CONNECTION_STRING: esdbScheme } });
  });
  afterAll(async () => {
    await scs?.stop();
    await esdb?.stop();
    await central?.drop();
  });

  it('provisions a school with every event in EventStoreDB and none in PostgreSQL', async () => {
    const before = esdb.eventCount;
    const res = await scs.request('/school', { method: 'POST', json: schoolBody() });
    expect(res.status).toBe(202);
    const school = await waitForStatus(scs, res.body.id, ['active', 'failed']);
    expect(school.status).toBe('active');
    const history = (await scs.request(`/school/${res.body.id}/history`)).body.events.map(
      (e: { type: string }) => e.type,
    );
    expect(history.at(-1)).toBe('SchoolProvisioned');
    expect(esdb.eventCount - before).toBeGreaterThanOrEqual(history.length);
    expect((await query(central.url, 'SELECT count(*)::int AS n FROM scs_events'))[0].n).toBe(0);
    expect(scs.logs.join('')).toContain('events in KurrentDB (EventStoreDB) at esdb://127.0.0.1:');
    // Handed to the client as kurrentdb://, so it has no deprecation of `esdb` to print on the console.
    expect(scs.logs.join('')).not.toMatch(/deprecated/i);
  });

  it('refuses to start on this central database without EventStoreDB: its positions belong to EventStoreDB', async () => {
    const refused = await startScs({ databaseUrl: central.url }).then(
      async (other) => {
        await other.stop();
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/SCS exited \(78\) before listening/);
    expect(refused).toMatch(
      /read model and checkpoints were built from the eventstoredb event store, but EVENTSTORE_CONNECTION_STRING is unset/,
    );
    expect((await query(central.url, 'SELECT kind FROM scs_event_store_binding'))[0].kind).toBe('eventstoredb');
  });

  it('answers 503 and reports not ready while EventStoreDB is down, then carries on where it stopped', async () => {
    await esdb.stop();
    const down = await waitFor(
      '/ready to say not ready',
      async () => {
        const r = await scs.request('/ready', { key: null });
        return r.status === 503 ? r : undefined;
      },
      15_000,
    );
    expect(down.body.checks.eventStore.ok).toBe(false);
    expect(down.body.checks.database.ok).toBe(true);

    const refused = await scs.request('/school', { method: 'POST', json: schoolBody() });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.detail).toMatch(/event store/);

    await esdb.start();
    await waitFor(
      '/ready again',
      async () => ((await scs.request('/ready', { key: null })).status === 200 ? true : undefined),
      20_000,
    );
    const res = await scs.request('/school', { method: 'POST', json: schoolBody() });
    expect(res.status).toBe(202);
    // Active means the process manager's and the projection's subscriptions came back by themselves.
    expect((await waitForStatus(scs, res.body.id, ['active', 'failed'], 30_000)).status).toBe('active');
    expect(scs.logs.join('')).toMatch(/subscribing again in \d+ ms/);
    expect(
      (await reconcileReport(central.url, { EVENTSTORE_CONNECTION_STRING: esdb.connectionString })).stdout,
    ).toContain('orphans: 0, drift: 0');
  }, 90_000);
});
