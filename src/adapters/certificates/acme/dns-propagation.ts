import { Resolver } from 'node:dns/promises';
import { StepError } from '../../../ports/step-error.js';

/**
 * Polls `server` (host:port, the zone's authoritative server) until `name` has a TXT record `value`.
 * Asking the authoritative server directly avoids the system resolver's negative cache, which would
 * otherwise hide a record created a moment after the first lookup for up to the SOA minimum.
 */
export async function waitForTxt(server: string, name: string, value: string, timeoutMs: number): Promise<void> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  let last: string;
  for (;;) {
    try {
      const records = await resolver.resolveTxt(name);
      if (records.some((strings) => strings.join('') === value)) return;
      last = `other TXT values: ${JSON.stringify(records)}`;
    } catch (error) {
      last = (error as { code?: string }).code ?? String(error);
    }
    if (Date.now() + delay > deadline) {
      throw StepError.transient(
        `the DNS-01 TXT record ${name} was not visible at ${server} within ${timeoutMs} ms (${last})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}
