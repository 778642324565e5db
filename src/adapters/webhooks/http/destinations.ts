import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { WebhookDestinationRefused } from '../../../ports/webhooks.port.js';

/**
 * Addresses a webhook may not reach unless SCS_WEBHOOK_ALLOW_PRIVATE: this host, private networks, link-local
 * (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges, in IPv4 and IPv6.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 address it maps. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never connect to it
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface DestinationRules {
  allowPrivate: boolean;
  allowHttp: boolean;
}

/** The URL's shape: http(s) (http only where allowed), no credentials in it. */
export function parseDestination(raw: string, rules: DestinationRules): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookDestinationRefused('is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && rules.allowHttp))
    throw new WebhookDestinationRefused(rules.allowHttp ? 'must be http or https' : 'must be https');
  if (url.username || url.password) throw new WebhookDestinationRefused('must not carry credentials');
  return url;
}

function refusedAddress(host: string, address: string): WebhookDestinationRefused {
  return new WebhookDestinationRefused(
    `${host} resolves to ${address}, a private, loopback or link-local address (SCS_WEBHOOK_ALLOW_PRIVATE allows it)`,
  );
}

/** Every address `host` resolves to (an IP literal is itself), refused if one is private and not allowed. */
export async function resolveDestination(host: string, rules: DestinationRules): Promise<LookupAddress[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses: LookupAddress[] = isIP(bare)
    ? [{ address: bare, family: isIP(bare) }]
    : await new Promise((resolve, reject) =>
        dnsLookup(bare, { all: true }, (error, found) =>
          error ? reject(new WebhookDestinationRefused(`${bare} does not resolve (${error.code})`)) : resolve(found),
        ),
      );
  if (!rules.allowPrivate) {
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked) throw refusedAddress(bare, blocked.address);
  }
  return addresses;
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that checks what it resolves: the connection goes only to an address that
 * passed, so a name that resolved to a public address at `add` and to a private one now (DNS rebinding) is
 * refused at delivery.
 */
export function checkedLookup(rules: DestinationRules) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveDestination(hostname, rules).then(
      (addresses) =>
        options.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family),
      (error: Error) => callback(error, options.all ? [] : ''),
    );
  };
}
