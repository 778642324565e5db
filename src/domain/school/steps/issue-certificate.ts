import { type StepEffects, withResources } from './step-effects.js';

export const issueCertificate: StepEffects<'issue_certificate'> = {
  done: (state, { provider, reference, serialNumber, notBefore, notAfter, issuer }) =>
    withResources(state, { certificate: { provider, reference, serialNumber, notBefore, notAfter, issuer } }),
  undone: (state) => withResources(state, { certificate: undefined }),
};
