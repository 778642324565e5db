import { EventStoreDbEventStore } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store.js';
import { startEsdbTestServer } from '../support/esdb-test-server/esdb-test-server.js';
import { eventStoreContract } from './event-store.contract.js';

// In CI: the EventStoreDB adapter over a real gRPC connection to the test server built from the
// client's protocol definitions (test/support/esdb-test-server; the README says what it covers).
eventStoreContract('eventstoredb (gRPC test server)', async () => {
  const server = await startEsdbTestServer();
  const store = new EventStoreDbEventStore({ connectionString: server.connectionString, retryMaxMs: 500 });
  return {
    store,
    // A server restart: every connection drops and nothing answers until it listens again.
    outage: async (ms) => {
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, ms));
      await server.start();
    },
    async close() {
      await store.close();
      await server.stop();
    },
  };
});

// Against a real server when one is given (`docker compose up -d kurrentdb`, then
// EVENTSTORE_CONNECTION_STRING=kurrentdb://127.0.0.1:2113?tls=false npm run test:contract).
const real = process.env.EVENTSTORE_CONNECTION_STRING;
if (real) {
  eventStoreContract('eventstoredb (real server)', async () => {
    const store = new EventStoreDbEventStore({ connectionString: real });
    return { store, close: () => store.close() };
  });
}
