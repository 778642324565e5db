import { Counter, Histogram, type Registry } from 'prom-client';
import type { ActionOutcome } from '../../ports/telemetry.port.js';
import { LIFECYCLE_ACTIONS, STEPS, UNDO_ORDER } from '../../domain/school/steps.js';

const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const SCHOOL_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

/** The process manager's work: how long schools take to settle, and each run of a step, undo or lifecycle action. */
export class ProvisioningMetrics {
  private readonly provisioning: Histogram<'outcome'>;
  private readonly restores: Histogram<'outcome'>;
  private readonly actions: Histogram<'step' | 'kind' | 'outcome'>;
  private readonly failures: Counter<'step' | 'kind'>;
  private readonly retries: Counter<'step' | 'kind'>;

  constructor(registers: Registry[]) {
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
  }

  /** Series that exist from the start, so that rate() and absent-or-zero alerts work before the first failure. */
  zeroEveryAction(): void {
    for (const step of STEPS.filter((s) => s !== 'reserve_slug')) this.zero(step, 'step');
    for (const step of UNDO_ORDER) this.zero(step, 'compensation');
    for (const { name } of LIFECYCLE_ACTIONS) this.zero(name, 'lifecycle');
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

  private zero(step: string, kind: ActionOutcome['kind']): void {
    this.failures.inc({ step, kind }, 0);
    this.retries.inc({ step, kind }, 0);
  }
}
