import type { StepEffects } from './step-effects.js';

/** A sent email changes nothing else the state keeps. */
export const sendWelcomeEmail: StepEffects<'send_welcome_email'> = {
  done: (state) => state,
};
