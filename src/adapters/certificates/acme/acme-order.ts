import acme from 'acme-client';
import type { DnsProvider } from '../../../ports/dns.port.js';
import type { AppLogger } from '../../../ports/logger.port.js';
import { StepError } from '../../../ports/step-error.js';
import type { AcmeAccount } from './acme-account.js';
import { classify } from './acme-problems.js';
import { traced, type AcmeTrace } from './acme-trace.js';
import { waitForTxt } from './dns-propagation.js';

export interface OrderOptions {
  dns: DnsProvider;
  /** host:port of the zone's authoritative server, asked directly before the CA is told to validate. */
  dnsResolver?: string;
  propagationTimeoutMs: number;
  accountEmail: string;
  directoryUrl: string;
  logger: AppLogger;
}

/** A certificate as the CA issued it: the chain (leaf first), its fresh private key, and the order's URL. */
export interface OrderedCertificate {
  certificatePem: string;
  keyPem: string;
  orderUrl: string;
}

/** Orders a certificate for `domain` with a new key, answering the CA's DNS-01 challenge through `dns`. */
export async function orderCertificate(
  account: AcmeAccount,
  domain: string,
  options: OrderOptions,
): Promise<OrderedCertificate> {
  const [key, csr] = await acme.crypto.createCsr({ commonName: domain }, await acme.crypto.createPrivateEcdsaKey());
  const trace: AcmeTrace = { problems: [] };
  const { dns, dnsResolver, propagationTimeoutMs } = options;
  try {
    const client = await account.open();
    const certificatePem = await traced(trace, () =>
      client.auto({
        csr,
        email: options.accountEmail,
        termsOfServiceAgreed: true,
        challengePriority: ['dns-01'],
        // Our own check asked the authoritative server; acme-client's would use the system resolver.
        skipChallengeVerification: dnsResolver !== undefined,
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          if (challenge.type !== 'dns-01')
            throw StepError.permanent(`the ACME server offers no dns-01 challenge for ${domain}`);
          const name = `_acme-challenge.${authz.identifier.value}`;
          await dns.upsert({ name, type: 'TXT', value: keyAuthorization, ttl: 60 });
          if (dnsResolver) await waitForTxt(dnsResolver, name, keyAuthorization, propagationTimeoutMs);
        },
        // acme-client calls this after every create, also when validation failed.
        challengeRemoveFn: async (authz) => {
          const name = `_acme-challenge.${authz.identifier.value}`;
          await dns
            .remove(name, 'TXT')
            .catch((e: unknown) => options.logger.warn(`acme: could not remove ${name} TXT: ${String(e)}`));
        },
      }),
    );
    if (!trace.orderUrl)
      throw StepError.transient(`the ACME server at ${options.directoryUrl} returned no order URL for ${domain}`);
    return { certificatePem, keyPem: key.toString(), orderUrl: trace.orderUrl };
  } catch (error) {
    throw classify(error, trace);
  }
}
