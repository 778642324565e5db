import type { SchoolEvent, StepRun } from '../domain/school/events.js';
import type { SchoolState } from '../domain/school/state.js';
import { isCompensationName, isLifecycleAction, stepUndoneBy, type ActionName } from '../domain/school/steps.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventMetadata } from '../ports/event-store.port.js';
import { lifecycleModule } from './lifecycle/index.js';
import { stepModule } from './steps/index.js';
import type { PortName, StepContext, StepPorts } from './steps/step-module.js';

export type { StepPorts } from './steps/step-module.js';

type Timing = Omit<StepRun, 'finishedAt'>;

/**
 * Runs one step, compensation or lifecycle action for a school through its module (`steps/<name>.ts`,
 * `lifecycle/<name>.ts`) and returns the event that records it. The module sees only the ports it declares in `needs`;
 * the event's `finishedAt` is read from `clock`.
 */
export async function runAction(
  ports: StepPorts,
  state: SchoolState,
  action: ActionName,
  timing: Timing,
  metadata: EventMetadata,
  clock: Clock,
): Promise<SchoolEvent> {
  ports.faults.beforeStep(action, timing.attempt);
  const undo = isCompensationName(action);
  const module = isLifecycleAction(action) ? lifecycleModule(action) : stepModule(undo ? stepUndoneBy(action) : action);
  const needed = Object.fromEntries(module.needs.map((port) => [port, ports[port]])) as Pick<StepPorts, PortName>;
  const context: StepContext<PortName> = {
    ports: needed,
    state,
    metadata,
    run: () => ({ ...timing, finishedAt: clock.now().toISOString() }),
  };
  const event = undo ? await module.undo!(context) : await module.run(context);
  ports.faults.afterSideEffect(action, state.id);
  return event;
}
