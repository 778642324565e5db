import { isIP } from 'node:net';
import type { DnsPointing } from '../../domain/school/event-records.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { DnsProvider, DnsRecordType } from '../../ports/dns.port.js';
import { defineStep } from './step-module.js';

export function recordTypeFor(target: string): DnsRecordType {
  return isIP(target) ? 'A' : 'CNAME';
}

/**
 * Points the school's name at `target`, marked as this instance's for the school (`claim`: a name it owns
 * is rewritten in place; one holding anybody else's records is refused with DnsNameTakenError). Idempotent.
 */
export async function pointName(dns: DnsProvider, state: SchoolState, target: string): Promise<DnsPointing> {
  const { id, subdomain: name } = state;
  const recordType = recordTypeFor(target);
  const { reference } = await dns.claim({ name, type: recordType, value: target, ttl: 300 }, id);
  return { provider: dns.name, name, recordType, value: target, reference };
}

/**
 * `<slug>.<BASE_DOMAIN>` pointing at the configured target, marked as this SCS instance's. A name that
 * holds records SCS does not own fails the step for good (DnsNameTakenError): it is never replaced.
 */
export const createDns = defineStep({
  name: 'create_dns',
  needs: ['dns', 'dnsTarget'],
  run: async ({ ports, state, run }) => ({
    type: 'DnsRecordCreated',
    data: { ...run(), ...(await pointName(ports.dns, state, ports.dnsTarget)) },
  }),
  undo: async ({ ports, state, run }) => {
    const name = state.subdomain;
    const recordType = (state.resources.dns?.recordType as DnsRecordType | undefined) ?? recordTypeFor(ports.dnsTarget);
    // A record that is not this instance's is left where it is (`owned: false` in the event).
    const { existed, owned, reference } = await ports.dns.release(name, recordType, state.id);
    const data = { ...run(), provider: ports.dns.name, name, recordType, existed, owned, reference };
    return { type: 'DnsRecordDeleted', data };
  },
});
