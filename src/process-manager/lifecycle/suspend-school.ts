import type { DnsPointing } from '../../domain/school/event-records.js';
import { serverOf } from '../../domain/school/placement.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { DnsProvider } from '../../ports/dns.port.js';
import { StepError } from '../../ports/step-error.js';
import { pointName, recordTypeFor } from '../steps/create-dns.js';
import { defineLifecycleAction } from '../steps/step-module.js';

/**
 * Its DNS name pointed at `target`. A record of another type is not turned into this one: the name would
 * be without a record, or with two, between the changes (a CNAME may have no neighbour), so the targets of
 * a suspension and of a live school must be of one type (the configuration checks it for the current ones).
 */
async function repoint(dns: DnsProvider, state: SchoolState, target: string): Promise<DnsPointing | undefined> {
  const current = state.resources.dns;
  if (!current) return undefined;
  if (current.recordType !== recordTypeFor(target)) {
    const detail = `${state.subdomain} is a ${current.recordType} record; ${target} would need ${recordTypeFor(target)}`;
    throw StepError.permanent(`${detail}: SCHOOL_DNS_TARGET and SCHOOL_SUSPENDED_DNS_TARGET must be of one type`);
  }
  return pointName(dns, state, target);
}

/** The school's role may not log in (its open sessions ended), and its name points at the maintenance target. */
export const suspendSchool = defineLifecycleAction({
  name: 'suspend_school',
  needs: ['servers', 'dns', 'suspendedDnsTarget'],
  run: async ({ ports, state, run }) => {
    // The role first: once it cannot log in, nothing reaches the school, whatever DNS says meanwhile.
    const { terminated } = await ports.servers.on(serverOf(state)).setOwnerLogin(state.databaseName, false);
    const target = ports.suspendedDnsTarget;
    const dns = target === undefined ? undefined : await repoint(ports.dns, state, target);
    const reason = state.suspension?.reason ?? '';
    return { type: 'SchoolSuspended', data: { ...run(), reason, terminatedSessions: terminated, ...(dns && { dns }) } };
  },
});

/** Both undone: the role may log in again, the name points at SCHOOL_DNS_TARGET. */
export const resumeSchool = defineLifecycleAction({
  name: 'resume_school',
  needs: ['servers', 'dns', 'dnsTarget'],
  run: async ({ ports, state, run }) => {
    await ports.servers.on(serverOf(state)).setOwnerLogin(state.databaseName, true);
    const dns = await repoint(ports.dns, state, ports.dnsTarget);
    return { type: 'SchoolResumed', data: { ...run(), ...(dns && { dns }) } };
  },
});
