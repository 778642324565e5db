import { fleet } from '../reports/fleet/fleet-projection.js';
import { onboarding } from '../reports/onboarding/onboarding-projection.js';
import type { Projection } from './projection.js';
import { schoolReadModel } from '../school/view/school-projection.js';
import { steps } from '../reports/steps/steps-projection.js';

/** Every projection the service runs, rebuilds and lists: add a new one here (and its tables' migration). */
export const PROJECTIONS: readonly Projection[] = [schoolReadModel, onboarding, steps, fleet];

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
