import { fleet } from './fleet/fleet-projection.js';
import { onboarding } from './onboarding/onboarding-projection.js';
import type { Projection } from './projection.js';
import { schoolReadModel } from './school-read-model/school-projection.js';
import { steps } from './steps/steps-projection.js';

/** Every projection the service runs, rebuilds and lists: add a new one here (and its tables' migration). */
export const PROJECTIONS: readonly Projection[] = [schoolReadModel, onboarding, steps, fleet];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
