import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../ports/clock.port.js';
import type { FaultPoints } from '../../ports/fault-points.port.js';
import { StepError } from '../../ports/step-error.js';
import type { Fault } from '../../config/faults.js';

/**
 * Test-only fault injection (refused in production by the configuration). A crash fires once per
 * school and step: a marker file in the data folder keeps the restarted process from crashing again.
 */
export class FaultInjector implements FaultPoints {
  constructor(
    private readonly faults: Map<string, Fault>,
    private readonly markerDir: string,
    private readonly clock: Clock = systemClock,
  ) {}

  beforeStep(action: string, attempt: number): void {
    const fault = this.faults.get(action);
    if (fault?.kind === 'fail') throw StepError.permanent(`injected failure (SCS_FAULTS=${action}:fail)`);
    if (fault?.kind === 'flaky' && attempt <= fault.times) {
      throw StepError.transient(
        `injected transient failure ${attempt} of ${fault.times} (SCS_FAULTS=${action}:flaky:${fault.times})`,
      );
    }
  }

  afterSideEffect(action: string, schoolId: string): void {
    if (this.faults.get(action)?.kind !== 'crash') return;
    const marker = join(this.markerDir, `crashed-${schoolId}-${action}`);
    if (existsSync(marker)) return;
    mkdirSync(this.markerDir, { recursive: true });
    writeFileSync(marker, this.clock.now().toISOString());
    process.stderr.write(`SCS_FAULTS: ${action}:crash — killing the process after the side effect, before its event\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
