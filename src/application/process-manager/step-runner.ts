import type { SchoolEvent, StepRun } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import { isCompensationName, isLifecycleAction, stepUndoneBy, type ActionName } from '../../domain/school/steps.js';
import type { EventMetadata } from '../ports/event-store.port.js';
import { lifecycleModule } from './lifecycle/index.js';
import { stepModule } from './steps/index.js';
import type { PortName, StepContext, StepPorts } from './steps/step-module.js';

export type { StepPorts } from './steps/step-module.js';

type Timing = Omit<StepRun, 'finishedAt'>;

/**
 * Runs one step, compensation or lifecycle action for a school through its module (`steps/<name>.ts`,
 * `lifecycle/<name>.ts`) and returns the event that records it. The module sees only the ports it declares in `needs`.
 */
export async function runAction(
  ports: StepPorts,
  state: SchoolState,
  action: ActionName,
  timing: Timing,
  metadata: EventMetadata,
): Promise<SchoolEvent> {
  ports.faults.beforeStep(action, timing.attempt);
  const undo = isCompensationName(action);
  const module = isLifecycleAction(action) ? lifecycleModule(action) : stepModule(undo ? stepUndoneBy(action) : action);
  const needed = Object.fromEntries(module.needs.map((port) => [port, ports[port]])) as Pick<StepPorts, PortName>;
  const context: StepContext<PortName> = {
    ports: needed,
    state,
    metadata,
    run: () => ({ ...timing, finishedAt: new Date().toISOString() }),
  };
  const event = undo ? await module.undo!(context) : await module.run(context);
  ports.faults.afterSideEffect(action, state.id);
  return event;
}
