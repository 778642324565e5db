import { type StepEffects, withResources } from './step-effects.js';

export const reserveSlug: StepEffects<'reserve_slug'> = {
  done: (state) => withResources(state, { slug: true }),
  undone: (state) => withResources(state, { slug: false }),
};
