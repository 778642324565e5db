/**
 * Single-event appends: SCS's PostgreSQL event store beside Emmett's (`@event-driven-io/emmett-postgresql`),
 * each on a database of its own on the same server, taking turns so that both see the same load.
 */
import { randomBytes } from 'node:crypto';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { silentLogger } from '../src/ports/logger.port.js';
import { prepareCentralDatabase } from '../src/adapters/postgres/central-database.js';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres-event-store.js';
import type { BenchServer } from './support/server.js';
import { median } from './support/stats.js';

export interface AppendFigures {
  newStream: { scs: number; emmett: number };
  expectedRevision: { scs: number; emmett: number };
}

/** An event of the size SCS writes (a step's result with its audit metadata). */
const event = (n: number) => ({
  type: 'DatabaseCreated',
  data: {
    databaseName: `school_${randomBytes(16).toString('hex')}`,
    method: 'template',
    alreadyExisted: false,
    durationMs: 41,
    attempt: 1,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    n,
  },
  metadata: {
    actor: 'process-manager',
    correlationId: randomBytes(16).toString('hex'),
    causationId: randomBytes(16).toString('hex'),
    now: new Date().toISOString(),
  },
});

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function appends(server: BenchServer, n: number): Promise<AppendFigures> {
  const run = randomBytes(4).toString('hex');
  const scsDb = `scs_bench_append_${run}`;
  const emmettDb = `scs_bench_emmett_${run}`;
  const scsUrl = server.own(scsDb);
  await prepareCentralDatabase(scsUrl, silentLogger);
  const emmettUrl = await server.createDatabase(emmettDb);
  const pool = new pg.Pool({ connectionString: scsUrl, max: 10 });
  const scs = new PostgresEventStore({ pool });
  const emmett = getPostgreSQLEventStore(emmettUrl);
  try {
    await emmett.schema.migrate();
    const times = {
      scsNew: [] as number[],
      emmettNew: [] as number[],
      scsRev: [] as number[],
      emmettRev: [] as number[],
    };
    let scsRevision = -1;
    let emmettVersion: bigint | undefined;
    const scsStream = `bench-one-${run}`;
    const emmettStream = `bench-one-${run}`;
    // Ten rounds of warm-up (connections, plans), then n measured rounds; who goes first alternates.
    for (let i = -10; i < n; i++) {
      const steps = [
        async () => {
          const t = await timed(() => scs.append(`bench-${run}-${i}`, [event(i)], 'no_stream'));
          if (i >= 0) times.scsNew.push(t);
        },
        async () => {
          const t = await timed(() =>
            emmett.appendToStream(`bench-${run}-${i}`, [event(i)], { expectedStreamVersion: STREAM_DOES_NOT_EXIST }),
          );
          if (i >= 0) times.emmettNew.push(t);
        },
        async () => {
          const t0 = performance.now();
          scsRevision = (await scs.append(scsStream, [event(i)], scsRevision < 0 ? 'no_stream' : scsRevision))
            .nextExpectedRevision;
          if (i >= 0) times.scsRev.push(performance.now() - t0);
        },
        async () => {
          const t0 = performance.now();
          const expectedStreamVersion = emmettVersion ?? STREAM_DOES_NOT_EXIST;
          emmettVersion = (await emmett.appendToStream(emmettStream, [event(i)], { expectedStreamVersion }))
            .nextExpectedStreamVersion;
          if (i >= 0) times.emmettRev.push(performance.now() - t0);
        },
      ];
      const order = i % 2 === 0 ? [0, 1, 2, 3] : [1, 0, 3, 2];
      for (const k of order) await steps[k]();
    }
    return {
      newStream: { scs: median(times.scsNew), emmett: median(times.emmettNew) },
      expectedRevision: { scs: median(times.scsRev), emmett: median(times.emmettRev) },
    };
  } finally {
    await scs.close();
    await pool.end();
    await emmett.close();
  }
}
