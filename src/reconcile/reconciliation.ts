import type { Clock } from '../ports/clock.port.js';
import { reconcile, type ReconcileDeps, type ReconcileReport } from './reconcile.js';

/** Compares the real resources with the events (reconcile): the periodic job's and `scs reconcile`'s. */
export class Reconciliation {
  constructor(
    private readonly deps: ReconcileDeps,
    private readonly clock: Clock,
  ) {}

  run(fix: boolean, actor: string, adopt = false): Promise<ReconcileReport> {
    const now = this.clock.now().toISOString();
    return reconcile(this.deps, { fix, adopt, metadata: { actor, correlationId: `reconcile-${now}`, now } });
  }
}
