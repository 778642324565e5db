import { Counter, Gauge, type Registry } from 'prom-client';

/** Runs of CERT_RELOAD_COMMAND (files delivery) after delivered certificate files changed. */
export class CertificateReloadMetrics {
  private readonly reloads: Counter<'outcome'>;
  private readonly failing: Gauge;

  constructor(registers: Registry[]) {
    this.reloads = new Counter({
      name: 'scs_certificate_reload_total',
      help: 'Runs of CERT_RELOAD_COMMAND after delivered certificate files changed, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.failing = new Gauge({
      name: 'scs_certificate_reload_failing',
      help: '1 while the last CERT_RELOAD_COMMAND run failed (it is retried): the terminator serves old certificates',
      registers,
    });
    for (const outcome of ['succeeded', 'failed']) this.reloads.inc({ outcome }, 0);
    this.failing.set(0);
  }

  reloaded(outcome: 'succeeded' | 'failed'): void {
    this.reloads.inc({ outcome });
    this.failing.set(outcome === 'failed' ? 1 : 0);
  }
}

/** The periodic reconcile: what its last run found, and when it ran. */
export class ReconcileMetrics {
  private readonly findings: Gauge<'kind' | 'resource'>;
  private readonly lastRun: Gauge;

  constructor(registers: Registry[]) {
    this.findings = new Gauge({
      name: 'scs_reconcile_findings',
      help: 'What the last periodic reconcile found, by kind (orphan, drift, retired-key, unreachable, foreign) and resource',
      labelNames: ['kind', 'resource'],
      registers,
    });
    this.lastRun = new Gauge({
      name: 'scs_reconcile_last_run_timestamp_seconds',
      help: 'When the last periodic reconcile finished (Unix seconds; 0: none yet)',
      registers,
    });
    this.lastRun.set(0);
  }

  /** The gauge holds this run's counts alone (a resolved finding's series goes). */
  reconciled(findings: ReadonlyArray<{ kind: string; resource: string }>, at: Date): void {
    this.findings.reset();
    for (const { kind, resource } of findings) this.findings.inc({ kind, resource });
    this.lastRun.set(at.getTime() / 1000);
  }
}

/** The school schema rollout (SCS_AUTO_MIGRATE_SCHOOLS) in this process. */
export class RolloutMetrics {
  private readonly schools: Gauge<'state'>;
  private readonly running: Gauge;

  constructor(registers: Registry[]) {
    this.schools = new Gauge({
      name: 'scs_schema_rollout_schools',
      help: "The running (or last) school schema rollout's schools: total, upgraded, failed, left",
      labelNames: ['state'],
      registers,
    });
    this.running = new Gauge({
      name: 'scs_schema_rollout_running',
      help: '1 while a school schema rollout runs in this process (SCS_AUTO_MIGRATE_SCHOOLS)',
      registers,
    });
    this.running.set(0);
  }

  progress(progress: { total: number; upgraded: number; failed: number; left: number }): void {
    for (const state of ['total', 'upgraded', 'failed', 'left'] as const) this.schools.set({ state }, progress[state]);
  }

  runs(running: boolean): void {
    this.running.set(running ? 1 : 0);
  }
}
