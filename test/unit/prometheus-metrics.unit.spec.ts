import { PrometheusMetrics, type MetricSources } from '../../src/adapters/metrics/prometheus-metrics.js';
import { metricSources } from '../../src/adapters/metrics/metric-sources.js';
import { PROJECTIONS } from '../../src/projections/registry.js';
import type { CheckpointStore } from '../../src/ports/checkpoint-store.port.js';
import type { EventStore } from '../../src/ports/event-store.port.js';

/** A metric's series as prom-client collects them at a scrape: labels and value. */
async function series(metrics: PrometheusMetrics, name: string) {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels, value }));
}

const sources = (over: Partial<MetricSources>): MetricSources => ({
  processManager: () => ({ running: 0, queued: 0 }),
  schoolsByStatus: async () => ({}),
  oldestUnfinishedSeconds: async () => 0,
  projectionLag: async () => ({}),
  certificates: async () => [],
  tenantServers: async () => [],
  ...over,
});

describe('the operational gauges (Prometheus registry)', () => {
  it('reports the lag of every projection, by name', async () => {
    const metrics = new PrometheusMetrics();
    metrics.observe(sources({ projectionLag: async () => ({ 'school-read-model': 0, onboarding: 3, steps: 10_000 }) }));
    expect(await series(metrics, 'scs_projection_lag_events')).toEqual([
      { labels: { projection: 'school-read-model' }, value: 0 },
      { labels: { projection: 'onboarding' }, value: 3 },
      { labels: { projection: 'steps' }, value: 10_000 },
    ]);
    // A source that cannot answer leaves the gauge empty, not stale.
    metrics.observe(sources({ projectionLag: () => Promise.reject(new Error('database restarting')) }));
    expect(await series(metrics, 'scs_projection_lag_events')).toEqual([]);
  });

  it("reads each registered projection's lag from its own checkpoint, on its own streams", async () => {
    const asked: Array<{ after: unknown; streamPrefix?: string }> = [];
    const checkpoint = (name: string) => ({ commit: BigInt(name.length), prepare: BigInt(name.length) });
    const checkpoints = { load: async (name: string) => checkpoint(name) } as unknown as CheckpointStore;
    const store = {
      readAll: async (options: { after: { commit: bigint }; streamPrefix?: string }) => {
        asked.push(options);
        return Array.from({ length: Number(options.after.commit) }, () => ({}));
      },
    } as unknown as EventStore;
    const reading = metricSources({
      pool: {} as never,
      store,
      checkpoints,
      processManager: { status: { running: 0, queued: 0 } },
      tenantServers: { status: async () => [] },
    });
    const lags = await reading.projectionLag();
    expect(PROJECTIONS.length).toBeGreaterThan(1);
    expect(lags).toEqual(Object.fromEntries(PROJECTIONS.map((p) => [p.name, p.name.length])));
    expect(asked.map((a) => a.streamPrefix)).toEqual(PROJECTIONS.map((p) => p.streamPrefix));
  });

  it("reports each tenant server's reachability at the scrape", async () => {
    const metrics = new PrometheusMetrics();
    const servers = [
      { name: 'central', reachable: true },
      { name: 'b', reachable: false },
    ];
    metrics.observe(sources({ tenantServers: async () => servers }));
    expect(await series(metrics, 'scs_tenant_server_up')).toEqual([
      { labels: { server: 'central' }, value: 1 },
      { labels: { server: 'b' }, value: 0 },
    ]);
    const reading = metricSources({
      pool: {} as never,
      store: {} as EventStore,
      checkpoints: {} as CheckpointStore,
      processManager: { status: { running: 0, queued: 0 } },
      tenantServers: { status: async () => servers.map((s) => ({ ...s, state: 'open', schools: 2 })) },
    });
    expect(await reading.tenantServers()).toEqual(servers);
  });

  it("holds the last periodic reconcile's findings by kind and resource, and when it ran", async () => {
    const metrics = new PrometheusMetrics();
    expect(await series(metrics, 'scs_reconcile_findings')).toEqual([]);
    expect(await series(metrics, 'scs_reconcile_last_run_timestamp_seconds')).toEqual([{ labels: {}, value: 0 }]);
    metrics.reconciled(
      [
        { kind: 'orphan', resource: 'dns' },
        { kind: 'orphan', resource: 'dns' },
        { kind: 'drift', resource: 'database' },
      ],
      new Date('2026-12-06T12:00:00Z'),
    );
    expect(await series(metrics, 'scs_reconcile_findings')).toEqual([
      { labels: { kind: 'orphan', resource: 'dns' }, value: 2 },
      { labels: { kind: 'drift', resource: 'database' }, value: 1 },
    ]);
    const at = Date.parse('2026-12-06T12:00:00Z') / 1000;
    expect(await series(metrics, 'scs_reconcile_last_run_timestamp_seconds')).toEqual([{ labels: {}, value: at }]);
    // The next run found nothing: the findings it no longer sees are gone from the gauge.
    metrics.reconciled([], new Date('2026-12-06T12:15:00Z'));
    expect(await series(metrics, 'scs_reconcile_findings')).toEqual([]);
  });

  it("follows a schema rollout's schools: total, upgraded, failed, left, and whether it runs", async () => {
    const metrics = new PrometheusMetrics();
    expect(await series(metrics, 'scs_schema_rollout_running')).toEqual([{ labels: {}, value: 0 }]);
    metrics.rolloutRunning(true);
    metrics.rolloutProgress({ total: 10, upgraded: 3, failed: 1, left: 6 }, true);
    const byState = async () =>
      Object.fromEntries((await series(metrics, 'scs_schema_rollout_schools')).map((s) => [s.labels.state, s.value]));
    expect(await byState()).toEqual({ total: 10, upgraded: 3, failed: 1, left: 6 });
    expect(await series(metrics, 'scs_schema_rollout_running')).toEqual([{ labels: {}, value: 1 }]);
    metrics.rolloutProgress({ total: 10, upgraded: 9, failed: 1, left: 0 }, false);
    expect(await byState()).toEqual({ total: 10, upgraded: 9, failed: 1, left: 0 });
    expect(await series(metrics, 'scs_schema_rollout_running')).toEqual([{ labels: {}, value: 0 }]);
  });
});
