import { registryDetailsOf } from '../details.js';
import { type StepEffects, withResources } from './step-effects.js';

export const registerSchool: StepEffects<'register_school'> = {
  done: (state, data) => ({
    ...withResources(state, { registered: true }),
    registryDetails: data.details ?? registryDetailsOf(state.details),
  }),
  undone: (state) => ({ ...withResources(state, { registered: false }), registryDetails: undefined }),
};
