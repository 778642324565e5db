/**
 * The event-store adapters side by side in one run: latency of single-event appends with an expected
 * revision (what every command does), and how fast a new subscription catches up on BENCH_EVENTS
 * (default 10,000) events (what a projection rebuild or a restarted process manager does).
 *   npx tsc -p tsconfig.json && node dist/bench/event-store.js
 * PostgreSQL: a fresh database on SCS_BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped at the end. EventStoreDB: EVENTSTORE_CONNECTION_STRING when set, else the in-memory gRPC test
 * server, whose figures show the adapter and client over gRPC on loopback, not a real server's disk.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EventStore, NewEvent } from '../src/ports/event-store.port.js';
import { EventStoreDbEventStore } from '../src/adapters/event-store/eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres-event-store.js';
import { applyEventStoreSchema } from '../test/support/event-store-fixtures.js';
import { startEsdbTestServer } from '../test/support/esdb-test-server/esdb-test-server.js';
import { percentile } from './support/stats.js';

const serverUrl = process.env.SCS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const appends = Number(process.env.BENCH_APPENDS ?? 500);
const catchUpEvents = Number(process.env.BENCH_EVENTS ?? 10_000);
const run = randomBytes(4).toString('hex');

const event = (n: number): NewEvent => ({
  type: 'Counted',
  data: { n, padding: 'x'.repeat(200) },
  metadata: { actor: 'bench', correlationId: run, now: new Date().toISOString() },
});

interface Figures {
  appendMedianMs: number;
  appendP90Ms: number;
  catchUpPerSecond: number;
}

async function measure(store: EventStore): Promise<Figures> {
  const latencies: number[] = [];
  const stream = `bench_${run}-append`;
  for (let i = 0; i < appends; i++) {
    const t0 = performance.now();
    await store.append(stream, [event(i)], i === 0 ? 'no_stream' : i - 1);
    latencies.push(performance.now() - t0);
  }
  // The catch-up source: BENCH_EVENTS events in streams of 100, appended in batches.
  const prefix = `bench_${run}-catchup-`;
  for (let s = 0; s < catchUpEvents / 100; s++) {
    await store.append(
      `${prefix}${s}`,
      Array.from({ length: 100 }, (_, i) => event(s * 100 + i)),
      'no_stream',
    );
  }
  const t0 = performance.now();
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribeToAll({
      streamPrefix: prefix,
      handler: async () => {
        if (++received === catchUpEvents) void subscription.stop().then(resolve);
      },
      onError: reject,
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    appendMedianMs: percentile(latencies, 50),
    appendP90Ms: percentile(latencies, 90),
    catchUpPerSecond: catchUpEvents / seconds,
  };
}

async function postgres(): Promise<Figures> {
  const name = `scs_bench_events_${run}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  try {
    await applyEventStoreSchema(url.toString());
    const store = new PostgresEventStore({ pool });
    const figures = await measure(store);
    await store.close();
    return figures;
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function eventStoreDb(): Promise<{ label: string; figures: Figures }> {
  const real = process.env.EVENTSTORE_CONNECTION_STRING;
  const server = real ? undefined : await startEsdbTestServer();
  const store = new EventStoreDbEventStore({ connectionString: real ?? server!.connectionString });
  try {
    return {
      label: real ? 'eventstoredb (real server)' : 'eventstoredb (gRPC test server)',
      figures: await measure(store),
    };
  } finally {
    await store.close();
    await server?.stop();
  }
}

const rows: Array<[string, Figures]> = [['postgres', await postgres()]];
const esdb = await eventStoreDb();
rows.push([esdb.label, esdb.figures]);
console.log(
  `${appends} single-event appends (expected revision), then catch-up of ${catchUpEvents} events by a new subscription:`,
);
for (const [label, f] of rows) {
  console.log(
    `${label.padEnd(32)} append median ${f.appendMedianMs.toFixed(2).padStart(6)} ms  p90 ${f.appendP90Ms.toFixed(2).padStart(6)} ms | catch-up ${Math.round(f.catchUpPerSecond).toString().padStart(7)} events/s`,
  );
}
console.log(
  `ratio postgres / ${esdb.label}: append median ${(rows[0][1].appendMedianMs / esdb.figures.appendMedianMs).toFixed(2)}, catch-up ${(rows[0][1].catchUpPerSecond / esdb.figures.catchUpPerSecond).toFixed(2)}`,
);
