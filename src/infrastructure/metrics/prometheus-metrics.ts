import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActionOutcome, Telemetry } from '../../application/ports/telemetry.port.js';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { LIFECYCLE_ACTIONS, STEPS, UNDO_ORDER } from '../../domain/school/steps.js';
import { routeOf } from '../http/route-of.js';
import { EventStreamMetrics } from './event-stream-metrics.js';
import { WebhookMetrics } from './webhook-metrics.js';
import { projectRoot } from '../project-root.js';

/** SCS's version (package.json) and the Node it runs on: what `scs_build_info` reports. */
export function buildInfo(): { version: string; node_version: string } {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return { version, node_version: process.versions.node };
}

/** What the gauges read when Prometheus scrapes (the runtime's parts; see metric-sources.ts). */
export interface MetricSources {
  processManager(): { running: number; queued: number };
  schoolsByStatus(): Promise<Record<string, number>>;
  /** Seconds the oldest unfinished school has been provisioning (or undoing, since its last event); 0: none. */
  oldestUnfinishedSeconds(): Promise<number>;
  /** School events each projection (by name) has not applied yet (capped). */
  projectionLag(): Promise<Record<string, number>>;
  /** Each tenant server (SCS_TENANT_SERVERS, or `central`): whether it answered a probe now. */
  tenantServers(): Promise<Array<{ name: string; reachable: boolean }>>;
  /** Each live school's certificate (read model): when it expires, and whether it is the one delivered. */
  certificates(): Promise<LiveCertificate[]>;
}

export interface LiveCertificate {
  schoolId: string;
  slug: string;
  domain: string;
  notAfterSeconds: number;
  /** Whether CERT_DELIVERY delivered this certificate (not an older one, nor none yet). */
  delivered: boolean;
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Also read by the bench (bench/main.ts), which turns them into quantiles. */
export const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SCHOOL_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

/** The Prometheus metrics of one SCS process (prom-client), served at GET /metrics. */
export class PrometheusMetrics implements Telemetry {
  readonly registry = new Registry();
  private sources?: MetricSources;
  private server?: Server;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly provisioning: Histogram<'outcome'>;
  private readonly restores: Histogram<'outcome'>;
  private readonly actions: Histogram<'step' | 'kind' | 'outcome'>;
  private readonly failures: Counter<'step' | 'kind'>;
  private readonly retries: Counter<'step' | 'kind'>;
  private readonly appends: Histogram<'outcome'>;
  private readonly delivery: Histogram<'subscriber'>;
  private readonly denials: Counter<'reason' | 'key_id' | 'scope' | 'route'>;
  /** The webhook deliveries' own (webhook-metrics.ts). */
  readonly webhooks: WebhookMetrics;
  readonly eventStreams: EventStreamMetrics;
  private readonly reloads: Counter<'outcome'>;
  private readonly reloadFailing: Gauge;
  private readonly findings: Gauge<'kind' | 'resource'>;
  private readonly reconciledAt: Gauge;
  private readonly rollout: Gauge<'state'>;
  private readonly rolloutOn: Gauge;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // Constant 1; its labels say what runs (join on them: `* on(instance) group_left(version) scs_build_info`).
    new Gauge({
      name: 'scs_build_info',
      help: 'The SCS version and Node.js version of this process (always 1)',
      labelNames: ['version', 'node_version'],
      registers,
    }).set(buildInfo(), 1);
    this.http = new Histogram({
      name: 'scs_http_request_duration_seconds',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.provisioning = new Histogram({
      name: 'scs_school_provisioning_duration_seconds',
      help: 'From POST /school to the school settling: outcome active, or failed after its rollback',
      labelNames: ['outcome'],
      buckets: SCHOOL_BUCKETS,
      registers,
    });
    this.restores = new Histogram({
      name: 'scs_school_restore_duration_seconds',
      help: 'From POST /school/:id/restore to the school settling: outcome restored, or failed after its undo',
      labelNames: ['outcome'],
      buckets: SCHOOL_BUCKETS,
      registers,
    });
    this.actions = new Histogram({
      name: 'scs_step_duration_seconds',
      help: 'Runs of provisioning steps (kind step), compensations (compensation) and lifecycle actions (lifecycle)',
      labelNames: ['step', 'kind', 'outcome'],
      buckets: STEP_BUCKETS,
      registers,
    });
    const labelNames = ['step', 'kind'] as const;
    this.failures = new Counter({
      name: 'scs_step_failures_total',
      help: 'Failed runs of a step, compensation or lifecycle action',
      labelNames,
      registers,
    });
    this.retries = new Counter({
      name: 'scs_step_retries_total',
      help: 'Failed runs that will be tried again',
      labelNames,
      registers,
    });
    this.appends = new Histogram({
      name: 'scs_event_store_append_duration_seconds',
      help: 'Appends to the event store, per attempt, by outcome',
      labelNames: ['outcome'],
      buckets: APPEND_BUCKETS,
      registers,
    });
    this.delivery = new Histogram({
      name: 'scs_event_delivery_seconds',
      help: 'From an event being recorded to its subscriber having handled it (process-manager, projection:<name>)',
      labelNames: ['subscriber'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
    this.denials = new Counter({
      name: 'scs_http_denied_total',
      help: 'Requests the API key guard refused: reason unauthorized (no key id) or missing-scope (key_id, scope)',
      labelNames: ['reason', 'key_id', 'scope', 'route'],
      registers,
    });
    this.webhooks = new WebhookMetrics(this.registry, DELIVERY_BUCKETS);
    this.eventStreams = new EventStreamMetrics(this.registry);
    this.reloads = new Counter({
      name: 'scs_certificate_reload_total',
      help: 'Runs of CERT_RELOAD_COMMAND after delivered certificate files changed, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.reloadFailing = new Gauge({
      name: 'scs_certificate_reload_failing',
      help: '1 while the last CERT_RELOAD_COMMAND run failed (it is retried): the terminator serves old certificates',
      registers,
    });
    this.findings = new Gauge({
      name: 'scs_reconcile_findings',
      help: 'What the last periodic reconcile found, by kind (orphan, drift, retired-key, unreachable, foreign) and resource',
      labelNames: ['kind', 'resource'],
      registers,
    });
    this.reconciledAt = new Gauge({
      name: 'scs_reconcile_last_run_timestamp_seconds',
      help: 'When the last periodic reconcile finished (Unix seconds; 0: none yet)',
      registers,
    });
    this.rollout = new Gauge({
      name: 'scs_schema_rollout_schools',
      help: "The running (or last) school schema rollout's schools: total, upgraded, failed, left",
      labelNames: ['state'],
      registers,
    });
    this.rolloutOn = new Gauge({
      name: 'scs_schema_rollout_running',
      help: '1 while a school schema rollout runs in this process (SCS_AUTO_MIGRATE_SCHOOLS)',
      registers,
    });
    this.reconciledAt.set(0);
    this.rolloutOn.set(0);
    for (const outcome of ['succeeded', 'failed']) this.reloads.inc({ outcome }, 0);
    this.reloadFailing.set(0);
    // Series that exist from the start, so that rate() and absent-or-zero alerts work before the first failure.
    for (const step of STEPS.filter((s) => s !== 'reserve_slug')) this.zero(step, 'step');
    for (const step of UNDO_ORDER) this.zero(step, 'compensation');
    for (const { name } of LIFECYCLE_ACTIONS) this.zero(name, 'lifecycle');

    // The gauges' collect() runs with the gauge as `this`: they reach the sources through these.
    const read = <T>(fn: (sources: MetricSources) => Promise<T>) => this.read(fn);
    const processManager = () => this.sources?.processManager();
    new Gauge({
      name: 'scs_schools',
      help: 'Schools by status (read model)',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await read((s) => s.schoolsByStatus());
        for (const status of SCHOOL_STATUSES) this.set({ status }, counts?.[status] ?? 0);
      },
    });
    new Gauge({
      name: 'scs_oldest_unfinished_school_age_seconds',
      help: 'Age of the oldest school in flight (provisioning, suspending, resuming, rolling back, deprovisioning; 0: none): the stuck alarm',
      registers,
      async collect() {
        this.set((await read((s) => s.oldestUnfinishedSeconds())) ?? 0);
      },
    });
    new Gauge({
      name: 'scs_projection_lag_events',
      help: 'School events not yet applied, by projection (school-read-model, onboarding, steps, fleet; capped at 10000)',
      labelNames: ['projection'],
      registers,
      async collect() {
        const lags = await read((s) => s.projectionLag());
        this.reset();
        for (const [projection, lag] of Object.entries(lags ?? {})) this.set({ projection }, lag);
      },
    });
    new Gauge({
      name: 'scs_tenant_server_up',
      help: 'Whether each tenant server answered a probe at this scrape (1) or not (0)',
      labelNames: ['server'],
      registers,
      async collect() {
        const servers = await read((s) => s.tenantServers());
        this.reset();
        for (const { name, reachable } of servers ?? []) this.set({ server: name }, reachable ? 1 : 0);
      },
    });
    new Gauge({
      // cert-manager's certmanager_certificate_expiration_timestamp_seconds, one series per live school.
      name: 'scs_certificate_expiration_timestamp_seconds',
      help: "The expiry time (Unix seconds) of each live school's certificate (read model)",
      labelNames: ['school_id', 'slug', 'domain'],
      registers,
      async collect() {
        const certificates = await read((s) => s.certificates());
        this.reset();
        for (const c of certificates ?? [])
          this.set({ school_id: c.schoolId, slug: c.slug, domain: c.domain }, c.notAfterSeconds);
      },
    });
    new Gauge({
      name: 'scs_certificates_undelivered',
      help: 'Live schools whose current certificate CERT_DELIVERY has not delivered (yet): the renewer retries',
      registers,
      async collect() {
        const certificates = await read((s) => s.certificates());
        if (certificates === undefined) this.reset();
        else this.set(certificates.filter((c) => !c.delivered).length);
      },
    });
    new Gauge({
      name: 'scs_process_manager_in_flight_schools',
      help: 'Schools the process manager is working on now',
      registers,
      collect() {
        this.set(processManager()?.running ?? 0);
      },
    });
    new Gauge({
      name: 'scs_process_manager_queued_schools',
      help: 'Schools waiting for a free slot (SCS_CONCURRENCY)',
      registers,
      collect() {
        this.set(processManager()?.queued ?? 0);
      },
    });
  }

  /** The runtime's parts, once they exist. */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  actionFinished({ action, kind, outcome, retried, seconds }: ActionOutcome): void {
    this.actions.observe({ step: action, kind, outcome }, seconds);
    if (outcome === 'failed') this.failures.inc({ step: action, kind });
    if (retried) this.retries.inc({ step: action, kind });
  }

  schoolSettled(status: string, seconds: number): void {
    this.provisioning.observe({ outcome: status }, seconds);
  }

  restoreSettled(outcome: 'restored' | 'failed', seconds: number): void {
    this.restores.observe({ outcome }, seconds);
  }

  appended(outcome: string, seconds: number): void {
    this.appends.observe({ outcome }, seconds);
  }

  eventHandled(subscriber: string, seconds: number): void {
    this.delivery.observe({ subscriber }, seconds);
  }

  /** A run of CERT_RELOAD_COMMAND (files delivery). */
  certificateReload(outcome: 'succeeded' | 'failed'): void {
    this.reloads.inc({ outcome });
    this.reloadFailing.set(outcome === 'failed' ? 1 : 0);
  }

  /** A periodic reconcile's findings: the gauge holds this run's counts alone (a resolved finding's series goes). */
  reconciled(findings: ReadonlyArray<{ kind: string; resource: string }>, at: Date): void {
    this.findings.reset();
    for (const { kind, resource } of findings) this.findings.inc({ kind, resource });
    this.reconciledAt.set(at.getTime() / 1000);
  }

  /** A school schema rollout's progress in this process; `running` false once it has ended (its counts stay). */
  rolloutProgress(progress: { total: number; upgraded: number; failed: number; left: number }, running: boolean): void {
    for (const state of ['total', 'upgraded', 'failed', 'left'] as const) this.rollout.set({ state }, progress[state]);
    this.rolloutRunning(running);
  }

  /** Whether a school schema rollout runs in this process now. */
  rolloutRunning(running: boolean): void {
    this.rolloutOn.set(running ? 1 : 0);
  }

  /** A request the API key guard refused; the labels are bounded (configured key ids, scopes, declared routes). */
  denied(denial: { reason: string; keyId?: string; scope?: string; route: string }): void {
    this.denials.inc({
      reason: denial.reason,
      key_id: denial.keyId ?? '',
      scope: denial.scope ?? '',
      route: denial.route,
    });
  }

  /** Times every request: the label is the declared route, never the raw path. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const end = this.http.startTimer();
      res.once('finish', () => end({ method: req.method, route: routeOf(req), status: String(res.statusCode) }));
      next();
    };
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** SCS_METRICS_PORT: /metrics on a port of its own (kept off the API's port and its load balancer). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.text().then(
        ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private zero(step: string, kind: ActionOutcome['kind']): void {
    this.failures.inc({ step, kind }, 0);
    this.retries.inc({ step, kind }, 0);
  }

  /** A source that cannot answer (the database is restarting) leaves its gauge empty, not the scrape failed. */
  private async read<T>(fn: (sources: MetricSources) => Promise<T>): Promise<T | undefined> {
    if (!this.sources) return undefined;
    return fn(this.sources).catch(() => undefined);
  }
}
