import { Gauge, type Registry } from 'prom-client';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';

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

/** Reads one source at a scrape; undefined when there are no sources yet or the source cannot answer. */
export type ReadSource = <T>(fn: (sources: MetricSources) => Promise<T>) => Promise<T | undefined>;

/**
 * The gauges computed at each scrape from the sources (the fleet's state, not events counted in this process).
 * Their collect() runs with the gauge as `this`: they reach the sources through `read`.
 */
export function registerFleetGauges(
  registers: Registry[],
  read: ReadSource,
  processManager: () => { running: number; queued: number } | undefined,
): void {
  registerSchoolGauges(registers, read);
  registerInfrastructureGauges(registers, read);
  registerCertificateGauges(registers, read);
  registerProcessManagerGauges(registers, processManager);
}

function registerSchoolGauges(registers: Registry[], read: ReadSource): void {
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
}

/** The projections' lag and the tenant servers' reachability. */
function registerInfrastructureGauges(registers: Registry[], read: ReadSource): void {
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
}

function registerCertificateGauges(registers: Registry[], read: ReadSource): void {
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
}

function registerProcessManagerGauges(
  registers: Registry[],
  processManager: () => { running: number; queued: number } | undefined,
): void {
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
