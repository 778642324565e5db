import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '../support/databases.js';
import { scrape } from '../support/prometheus.js';
import { API_KEY, schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/e2e → project root

const STEPS = [
  'create_database',
  'run_migrations',
  'create_dns',
  'issue_certificate',
  'deliver_certificate',
  'register_school',
  'send_welcome_email',
];
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function jsonLines(scs: ScsProcess): Array<Record<string, any>> {
  return scs.logs
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

describe('operating SCS in production: Prometheus metrics and JSON logs (real process)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e_ops');
    scs = await startScs({
      databaseUrl: central.url,
      env: {
        NODE_ENV: 'production',
        SCS_CREDENTIALS_KEY: randomBytes(32).toString('hex'),
        SCS_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        SCS_RECONCILE_INTERVAL_S: '2',
      },
    });
    const listening = /metrics on http:\/\/localhost:(\d+)\/metrics/;
    const port = await waitFor('the metrics port in the log', async () => listening.exec(scs.logs.join(''))?.[1]);
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });

  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('the named metrics move after a provision, read from SCS_METRICS_PORT with a Prometheus text parser', async () => {
    const before = await scrape(metricsUrl);
    const correlationId = `ops-${Date.now()}`;
    const posted = await scs.request('/school', {
      method: 'POST',
      json: schoolBody(),
      headers: { 'X-Correlation-Id': correlationId, traceparent: TRACEPARENT },
    });
    expect(posted.status).toBe(202);
    await waitForStatus(scs, posted.body.id, ['active']);
    // The projection and the process manager settle just after the answer that said active.
    const after = await waitFor('a settled scrape', async () => {
      const s = await scrape(metricsUrl);
      return s.value('scs_schools', { status: 'active' }) === before.value('scs_schools', { status: 'active' }) + 1 &&
        s.value('scs_process_manager_in_flight_schools') === 0
        ? s
        : undefined;
    });

    for (const [name, type] of [
      ['scs_http_request_duration_seconds', 'HISTOGRAM'],
      ['scs_school_provisioning_duration_seconds', 'HISTOGRAM'],
      ['scs_step_duration_seconds', 'HISTOGRAM'],
      ['scs_step_failures_total', 'COUNTER'],
      ['scs_step_retries_total', 'COUNTER'],
      ['scs_schools', 'GAUGE'],
      ['scs_projection_lag_events', 'GAUGE'],
      ['scs_process_manager_in_flight_schools', 'GAUGE'],
      ['scs_process_manager_queued_schools', 'GAUGE'],
      ['scs_oldest_unfinished_school_age_seconds', 'GAUGE'],
      ['scs_event_store_append_duration_seconds', 'HISTOGRAM'],
      ['scs_event_delivery_seconds', 'HISTOGRAM'],
      ['scs_certificate_expiration_timestamp_seconds', 'GAUGE'],
      ['scs_certificates_undelivered', 'GAUGE'],
      ['scs_certificate_reload_total', 'COUNTER'],
      ['scs_certificate_reload_failing', 'GAUGE'],
      ['scs_tenant_server_up', 'GAUGE'],
      ['scs_reconcile_findings', 'GAUGE'],
      ['scs_reconcile_last_run_timestamp_seconds', 'GAUGE'],
      ['scs_schema_rollout_schools', 'GAUGE'],
      ['scs_schema_rollout_running', 'GAUGE'],
    ])
      expect([name, after.families.get(name)?.type]).toEqual([name, type]);

    const moved = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);
    const accepted = { method: 'POST', route: '/school', status: '202' };
    expect(moved('scs_http_request_duration_seconds_count', accepted)).toBe(1);
    expect(after.has('scs_http_request_duration_seconds_count', { route: '/school/:id', status: '200' })).toBe(true);
    expect(moved('scs_school_provisioning_duration_seconds_count', { outcome: 'active' })).toBe(1);
    expect(after.value('scs_school_provisioning_duration_seconds_sum', { outcome: 'active' })).toBeGreaterThan(0);
    for (const step of STEPS) {
      const labels = { step, kind: 'step', outcome: 'succeeded' };
      expect([step, moved('scs_step_duration_seconds_count', labels)]).toEqual([step, 1]);
    }
    expect(moved('scs_step_failures_total')).toBe(0);
    expect(moved('scs_schools', { status: 'active' })).toBe(1);
    // SchoolRequested + SlugReserved, the slug claim, one event per step and SchoolProvisioned.
    expect(moved('scs_event_store_append_duration_seconds_count', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(8);
    // Every projection's lag, not only the read model's; the central server (the only tenant server) is up.
    for (const projection of ['school-read-model', 'onboarding', 'steps', 'fleet']) {
      const lag = await waitFor(`${projection} to catch up`, async () => {
        const s = await scrape(metricsUrl);
        const value = s.value('scs_projection_lag_events', { projection });
        return s.has('scs_projection_lag_events', { projection }) && value === 0 ? value : undefined;
      });
      expect([projection, lag]).toEqual([projection, 0]);
    }
    expect(after.value('scs_tenant_server_up', { server: 'central' })).toBe(1);
    // The periodic reconcile (every 2 s here) records when it ran, and found nothing amiss.
    const reconciled = await waitFor('a periodic reconcile', async () => {
      const s = await scrape(metricsUrl);
      return s.value('scs_reconcile_last_run_timestamp_seconds') > 0 ? s : undefined;
    });
    expect(reconciled.value('scs_reconcile_last_run_timestamp_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(reconciled.has('scs_reconcile_findings', { kind: 'orphan' })).toBe(false);
    expect(after.value('scs_oldest_unfinished_school_age_seconds')).toBe(0);
    expect(after.value('scs_process_manager_queued_schools')).toBe(0);

    // Only the metrics port serves /metrics when SCS_METRICS_PORT is set.
    expect((await scs.request('/metrics', { key: null })).status).toBe(404);

    // The caller's trace context is kept beside the correlation id in every event of the provisioning.
    const history = await scs.request(`/school/${posted.body.id}/history`);
    expect(history.body.events.length).toBeGreaterThan(7);
    // Every one of the school's events was timed from its recording to its handling, once per subscriber.
    const subscribers = ['process-manager', 'projection:school-read-model', 'projection:onboarding']
      .concat(['projection:steps', 'projection:fleet'])
      .map((subscriber) => ({ subscriber }));
    const events = history.body.events.length;
    const handled = await waitFor('every subscriber to have handled the events', async () => {
      const s = await scrape(metricsUrl);
      const count = (labels: { subscriber: string }) =>
        s.value('scs_event_delivery_seconds_count', labels) - before.value('scs_event_delivery_seconds_count', labels);
      return subscribers.every((labels) => count(labels) >= events) ? { s, count } : undefined;
    });
    for (const labels of subscribers) {
      expect([labels.subscriber, handled.count(labels)]).toEqual([labels.subscriber, events]);
      expect(handled.s.value('scs_event_delivery_seconds_sum', labels)).toBeGreaterThan(0);
    }
    for (const event of history.body.events) {
      expect(event.metadata).toMatchObject({ correlationId, traceparent: TRACEPARENT });
    }
  });

  it('logs JSON lines with ISO UTC times, one access line per request, and school fields on school lines', async () => {
    const correlationId = `logs-${Date.now()}`;
    const headers = { 'X-Correlation-Id': correlationId };
    const posted = await scs.request('/school', { method: 'POST', json: schoolBody(), headers });
    await waitForStatus(scs, posted.body.id, ['active']);
    const lines = jsonLines(scs);
    for (const line of lines) {
      expect(typeof line.msg).toBe('string');
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(scs.logs.join('')).not.toContain(API_KEY);

    const access = lines.filter((l) => l.correlationId === correlationId && l.route === '/school');
    expect(access).toHaveLength(1);
    const apiKeyId = expect.stringMatching(/^key-[0-9a-f]{8}$/);
    expect(access[0]).toMatchObject({ level: 'info', method: 'POST', status: 202, apiKeyId });
    expect(typeof access[0].ms).toBe('number');

    // The access lines of a route that names a school carry its id, and say who asked.
    const reads = lines.filter((l) => l.route === '/school/:id' && l.schoolId === posted.body.id);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads[0]).toMatchObject({ clientAddress: expect.stringMatching(/127\.0\.0\.1$/), userAgent: 'node' });
    // Probes and scrapes are logged at debug, which LOG_LEVEL=info leaves out.
    expect((await scs.request('/health', { key: null })).status).toBe(200);
    await scs.request('/schools?limit=1');
    await waitFor('the access line after the probe', async () =>
      jsonLines(scs).some((l) => l.route === '/schools') ? true : undefined,
    );
    expect(jsonLines(scs).filter((l) => l.route === '/health')).toEqual([]);

    const school = lines.filter((l) => l.schoolId === posted.body.id && l.route === undefined);
    expect(school.map((l) => l.step)).toEqual(expect.arrayContaining(STEPS));
    for (const line of school) {
      expect(line).toMatchObject({ slug: posted.body.slug, correlationId, step: expect.any(String) });
    }
  });
});

describe('GET /metrics on the API port (the default), with injected step failures', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_e2e_metrics');
    const faults = 'create_dns:flaky:1,issue_certificate:fail';
    scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: faults } });
  });

  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('answers without an API key, outside the rate limit, with routes as declared, never raw paths', async () => {
    await scs.request(`/school/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    await scs.request('/no/such/route');
    const metrics = await scrape(`${scs.url}/metrics`);
    expect(metrics.value('scs_http_request_duration_seconds_count', { route: '/school/:id', status: '404' })).toBe(1);
    expect(metrics.value('scs_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
    expect(metrics.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('labels the answers given before routing (400, 415, OPTIONS) with their route, and reports scs_build_info', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${scs.url}/school`, { method: 'POST', headers: { 'X-SCS-Key': API_KEY, ...headers }, body });
    expect((await post({ 'Content-Type': 'text/plain' }, 'a school')).status).toBe(415);
    expect((await post({ 'Content-Type': 'application/json' }, '{"slug":')).status).toBe(400);
    const options = await fetch(`${scs.url}/school`, { method: 'OPTIONS' });
    expect({ status: options.status, allow: options.headers.get('allow') }).toEqual({
      status: 204,
      allow: 'OPTIONS, POST',
    });
    expect((await fetch(`${scs.url}/no/such/route`, { method: 'OPTIONS' })).status).toBe(404);

    const metrics = await scrape(`${scs.url}/metrics`);
    const count = (method: string, status: string) =>
      metrics.value('scs_http_request_duration_seconds_count', { method, route: '/school', status });
    expect([count('POST', '415'), count('POST', '400'), count('OPTIONS', '204')]).toEqual([1, 1, 1]);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(metrics.value('scs_build_info', { version, node_version: process.versions.node })).toBe(1);
  });

  it('counts failures and retries by step, compensations, and a school that failed', async () => {
    const posted = await scs.request('/school', { method: 'POST', json: schoolBody() });
    await waitForStatus(scs, posted.body.id, ['failed']);
    const metrics = await waitFor('the failed school in the metrics', async () => {
      const s = await scrape(`${scs.url}/metrics`);
      return s.value('scs_school_provisioning_duration_seconds_count', { outcome: 'failed' }) === 1 ? s : undefined;
    });
    const step = (name: string, labels: Record<string, string>) => metrics.value(name, { kind: 'step', ...labels });
    // create_dns: one transient failure, retried, then a success.
    expect(step('scs_step_failures_total', { step: 'create_dns' })).toBe(1);
    expect(step('scs_step_retries_total', { step: 'create_dns' })).toBe(1);
    expect(step('scs_step_duration_seconds_count', { step: 'create_dns', outcome: 'succeeded' })).toBe(1);
    // issue_certificate: a permanent failure, not retried; the rollback undoes what was done.
    expect(step('scs_step_failures_total', { step: 'issue_certificate' })).toBe(1);
    expect(step('scs_step_retries_total', { step: 'issue_certificate' })).toBe(0);
    for (const compensation of ['delete_dns', 'drop_database', 'release_slug']) {
      const labels = { step: compensation, kind: 'compensation', outcome: 'succeeded' };
      expect([compensation, metrics.value('scs_step_duration_seconds_count', labels)]).toEqual([compensation, 1]);
    }
    expect(metrics.value('scs_schools', { status: 'failed' })).toBe(1);
    expect(metrics.value('scs_school_provisioning_duration_seconds_count', { outcome: 'active' })).toBe(0);
  });
});
