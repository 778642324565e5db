import { type StepEffects, withResources } from './step-effects.js';

/** Also recorded by the renewer's delivery of a renewed certificate: the step then stays as it was. */
export const deliverCertificate: StepEffects<'deliver_certificate'> = {
  done: (state, { delivery, serialNumber, location, finishedAt: at }) =>
    withResources(state, { delivered: { delivery, serialNumber, ...(location ? { location } : {}), at } }),
  undone: (state) => withResources(state, { delivered: undefined }),
};
