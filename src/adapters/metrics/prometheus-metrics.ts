import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActionOutcome, Telemetry } from '../../ports/telemetry.port.js';
import { registerBuildInfo } from './build-info.js';
import { DELIVERY_BUCKETS, EventStoreMetrics } from './event-store-metrics.js';
import { EventStreamMetrics } from './event-stream-metrics.js';
import { registerFleetGauges, type MetricSources } from './fleet-gauges.js';
import { httpDenials, httpRequestDurations, timeRequests } from './http-metrics.js';
import { CertificateReloadMetrics, ReconcileMetrics, RolloutMetrics } from './background-job-metrics.js';
import { ProvisioningMetrics } from './provisioning-metrics.js';
import { WebhookMetrics } from './webhook-metrics.js';

export type { MetricSources } from './fleet-gauges.js';

/**
 * The Prometheus metrics of one SCS process (prom-client), served at GET /metrics. Each family lives in its
 * own module; they are registered in a fixed order, which is the order of GET /metrics.
 */
export class PrometheusMetrics implements Telemetry {
  readonly registry = new Registry();
  private sources?: MetricSources;
  private server?: Server;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly provisioning: ProvisioningMetrics;
  private readonly events: EventStoreMetrics;
  private readonly denials: Counter<'reason' | 'key_id' | 'scope' | 'route'>;
  /** The webhook deliveries' own (webhook-metrics.ts). */
  readonly webhooks: WebhookMetrics;
  readonly eventStreams: EventStreamMetrics;
  private readonly reloads: CertificateReloadMetrics;
  private readonly reconcile: ReconcileMetrics;
  private readonly rollout: RolloutMetrics;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    registerBuildInfo(registers);
    this.http = httpRequestDurations(registers);
    this.provisioning = new ProvisioningMetrics(registers);
    this.events = new EventStoreMetrics(registers);
    this.denials = httpDenials(registers);
    this.webhooks = new WebhookMetrics(this.registry, DELIVERY_BUCKETS);
    this.eventStreams = new EventStreamMetrics(this.registry);
    this.reloads = new CertificateReloadMetrics(registers);
    this.reconcile = new ReconcileMetrics(registers);
    this.rollout = new RolloutMetrics(registers);
    this.provisioning.zeroEveryAction();
    registerFleetGauges(
      registers,
      (fn) => this.read(fn),
      () => this.sources?.processManager(),
    );
  }

  /** The runtime's parts, once they exist. */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  actionFinished(outcome: ActionOutcome): void {
    this.provisioning.actionFinished(outcome);
  }

  schoolSettled(status: string, seconds: number): void {
    this.provisioning.schoolSettled(status, seconds);
  }

  restoreSettled(outcome: 'restored' | 'failed', seconds: number): void {
    this.provisioning.restoreSettled(outcome, seconds);
  }

  appended(outcome: string, seconds: number): void {
    this.events.appended(outcome, seconds);
  }

  eventHandled(subscriber: string, seconds: number): void {
    this.events.eventHandled(subscriber, seconds);
  }

  /** A run of CERT_RELOAD_COMMAND (files delivery). */
  certificateReload(outcome: 'succeeded' | 'failed'): void {
    this.reloads.reloaded(outcome);
  }

  /** A periodic reconcile's findings: the gauge holds this run's counts alone (a resolved finding's series goes). */
  reconciled(findings: ReadonlyArray<{ kind: string; resource: string }>, at: Date): void {
    this.reconcile.reconciled(findings, at);
  }

  /** A school schema rollout's progress in this process; `running` false once it has ended (its counts stay). */
  rolloutProgress(progress: { total: number; upgraded: number; failed: number; left: number }, running: boolean): void {
    this.rollout.progress(progress);
    this.rolloutRunning(running);
  }

  /** Whether a school schema rollout runs in this process now. */
  rolloutRunning(running: boolean): void {
    this.rollout.runs(running);
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
    return timeRequests(this.http);
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

  /** A source that cannot answer (the database is restarting) leaves its gauge empty, not the scrape failed. */
  private async read<T>(fn: (sources: MetricSources) => Promise<T>): Promise<T | undefined> {
    if (!this.sources) return undefined;
    return fn(this.sources).catch(() => undefined);
  }
}
