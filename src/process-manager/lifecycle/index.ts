import type { LifecycleActionName } from '../../domain/school/steps.js';
import type { AnyStepModule, LifecycleModule, PortName } from '../steps/step-module.js';
import { resumeSchool, suspendSchool } from './suspend-school.js';
import { updateRegistry } from './update-registry.js';

/** Every lifecycle action's module, by name: the compiler refuses an action of `LIFECYCLE_ACTIONS` without one. */
const MODULES: { [N in LifecycleActionName]: LifecycleModule<N, PortName> } = {
  update_registry: updateRegistry,
  suspend_school: suspendSchool,
  resume_school: resumeSchool,
};

/** A lifecycle action's module as the runner sees it (it has no undo). */
export function lifecycleModule(action: LifecycleActionName): Omit<AnyStepModule, 'name'> {
  return MODULES[action] as unknown as Omit<AnyStepModule, 'name'>;
}
