import { isIP } from 'node:net';
import type { DnsRecordType } from '../../ports/dns.port.js';
import { defineStep } from './step-module.js';

export function recordTypeFor(target: string): DnsRecordType {
  return isIP(target) ? 'A' : 'CNAME';
}

/** `<slug>.<BASE_DOMAIN>` pointing at the configured target. */
export const createDns = defineStep({
  name: 'create_dns',
  needs: ['dns', 'dnsTarget'],
  run: async ({ ports, state: { subdomain: name }, run }) => {
    const recordType = recordTypeFor(ports.dnsTarget);
    const change = await ports.dns.upsert({ name, type: recordType, value: ports.dnsTarget, ttl: 300 });
    const { reference } = change;
    return {
      type: 'DnsRecordCreated',
      data: { ...run(), provider: ports.dns.name, name, recordType, value: ports.dnsTarget, reference },
    };
  },
  undo: async ({ ports, state, run }) => {
    const name = state.subdomain;
    const recordType = (state.resources.dns?.recordType as DnsRecordType | undefined) ?? recordTypeFor(ports.dnsTarget);
    const { existed, reference } = await ports.dns.remove(name, recordType);
    const data = { ...run(), provider: ports.dns.name, name, recordType, existed, reference };
    return { type: 'DnsRecordDeleted', data };
  },
});
