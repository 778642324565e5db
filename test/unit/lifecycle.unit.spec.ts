import type { Queryable } from '../../src/projections/queryable.js';
import type { EventStore } from '../../src/ports/event-store.port.js';
import type { TenantServers } from '../../src/ports/tenant-servers.port.js';
import { BackgroundJobs } from '../../src/lifecycle/background-jobs.js';
import type { BackgroundJob } from '../../src/lifecycle/jobs/background-job.js';
import { readinessOf } from '../../src/lifecycle/readiness.js';

describe('readiness', () => {
  const servers = { status: async () => [] } as unknown as TenantServers;

  it('reports each check, and an error as its message', async () => {
    const readSide = { query: async () => [{ '?column?': 1 }] } as unknown as Queryable;
    const store = { ping: async () => Promise.reject(new Error('store down')) } as unknown as EventStore;
    expect(await readinessOf(readSide, store, servers).check()).toEqual({
      database: { ok: true },
      eventStore: { ok: false, error: 'store down' },
    });
  });

  it('gives up on a check that does not answer within 2 s', async () => {
    const readSide = { query: () => new Promise(() => undefined) } as unknown as Queryable;
    const store = { ping: async () => undefined } as unknown as EventStore;
    expect(await readinessOf(readSide, store, servers).check()).toEqual({
      database: { ok: false, error: 'timed out after 2 s' },
      eventStore: { ok: true },
    });
  });
});

describe('background jobs', () => {
  it('start in order, and stop the timers before the rollout and the metrics server last', async () => {
    const seen: string[] = [];
    const job = (name: string): BackgroundJob => ({
      start: () => void seen.push(`start ${name}`),
      stop: () => void seen.push(`stop ${name}`),
    });
    const jobs = new BackgroundJobs(
      job('rollout') as never,
      job('reconcile') as never,
      job('metrics') as never,
      job('renewal') as never,
    );
    await jobs.start();
    await jobs.stop();
    expect(seen).toEqual([
      'start rollout',
      'start reconcile',
      'start metrics',
      'start renewal',
      'stop reconcile',
      'stop renewal',
      'stop rollout',
      'stop metrics',
    ]);
  });
});
