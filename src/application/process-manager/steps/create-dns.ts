import { isIP } from 'node:net';
import type { DnsRecordType } from '../../ports/dns.port.js';
import { defineStep } from './step-module.js';

export function recordTypeFor(target: string): DnsRecordType {
  return isIP(target) ? 'A' : 'CNAME';
}

/**
 * `<slug>.<BASE_DOMAIN>` pointing at the configured target, marked as this SCS instance's. A name that
 * holds records SCS does not own fails the step for good (DnsNameTakenError): it is never replaced.
 */
export const createDns = defineStep({
  name: 'create_dns',
  needs: ['dns', 'dnsTarget'],
  run: async ({ ports, state: { id, subdomain: name }, run }) => {
    const recordType = recordTypeFor(ports.dnsTarget);
    const change = await ports.dns.claim({ name, type: recordType, value: ports.dnsTarget, ttl: 300 }, id);
    const { reference } = change;
    return {
      type: 'DnsRecordCreated',
      data: { ...run(), provider: ports.dns.name, name, recordType, value: ports.dnsTarget, reference },
    };
  },
  undo: async ({ ports, state, run }) => {
    const name = state.subdomain;
    const recordType = (state.resources.dns?.recordType as DnsRecordType | undefined) ?? recordTypeFor(ports.dnsTarget);
    // A record that is not this instance's is left where it is (`owned: false` in the event).
    const { existed, owned, reference } = await ports.dns.release(name, recordType, state.id);
    const data = { ...run(), provider: ports.dns.name, name, recordType, existed, owned, reference };
    return { type: 'DnsRecordDeleted', data };
  },
});
