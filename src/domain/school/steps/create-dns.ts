import { type StepEffects, withResources } from './step-effects.js';

export const createDns: StepEffects<'create_dns'> = {
  done: (state, { name, recordType, provider }) => withResources(state, { dns: { name, recordType, provider } }),
  undone: (state) => withResources(state, { dns: undefined }),
  owns: ({ resources: { dns } }) => (dns ? [{ kind: 'dns', name: dns.name, recordType: dns.recordType }] : []),
};
