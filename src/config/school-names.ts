import { isIP } from 'node:net';
import { Slug } from '../domain/school/slug.js';
import { listOf, type EnvReader } from './env-reader.js';

/** Where school names live in DNS, what they point at, and which slugs no school may take. */
export interface SchoolNameSettings {
  baseDomain: string;
  /** The zone SCS writes school records in (default BASE_DOMAIN). */
  dnsZone: string;
  dnsTarget: string;
  /** SCHOOL_SUSPENDED_DNS_TARGET: what a suspended school's name points at (absent: left as it is). */
  suspendedDnsTarget?: string;
  /**
   * SCS_OWNER_ID: the name this SCS instance marks its DNS records and school databases with, so that
   * instances sharing a zone or a server never touch each other's. Absent: the central database's name.
   */
  ownerId?: string;
  /** SCS_RESERVED_SLUGS: slugs no school may take, besides the domain's built-in ones. */
  reservedSlugs: string[];
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const OWNER_ID = /^[A-Za-z0-9_.-]{1,63}$/;

const isHostName = (name: string) => name.split('.').every((label) => DNS_LABEL.test(label));

export function parseSchoolNames(read: EnvReader): SchoolNameSettings {
  const baseDomain = (read.env.BASE_DOMAIN || 'syncad.in').toLowerCase().replace(/\.$/, '');
  if (!isHostName(baseDomain) || !baseDomain.includes('.'))
    read.problem(`BASE_DOMAIN=${read.env.BASE_DOMAIN} must be a domain name such as syncad.in`);
  const ownerId = read.optional('SCS_OWNER_ID');
  if (ownerId !== undefined && !OWNER_ID.test(ownerId))
    read.problem(
      `SCS_OWNER_ID=${ownerId} must be 1 to 63 characters of a-z, A-Z, 0-9, _, . and - (it is written into DNS TXT records)`,
    );
  const dnsTarget = read.env.SCHOOL_DNS_TARGET || '127.0.0.1';
  if (!isIP(dnsTarget) && !isHostName(dnsTarget))
    read.problem(`SCHOOL_DNS_TARGET=${dnsTarget} must be an IP address (A record) or a host name (CNAME)`);
  const suspendedDnsTarget = read.optional('SCHOOL_SUSPENDED_DNS_TARGET');
  if (suspendedDnsTarget !== undefined) checkSuspendedTarget(read, suspendedDnsTarget, dnsTarget);
  return {
    baseDomain,
    dnsZone: (read.env.DNS_ZONE || baseDomain).toLowerCase().replace(/\.$/, ''),
    dnsTarget,
    suspendedDnsTarget,
    ownerId,
    reservedSlugs: parseReservedSlugs(read),
  };
}

function checkSuspendedTarget(read: EnvReader, suspended: string, dnsTarget: string): void {
  const name = 'SCHOOL_SUSPENDED_DNS_TARGET';
  if (!isIP(suspended) && !isHostName(suspended)) {
    read.problem(`${name}=${suspended} must be an IP address (A record) or a host name (CNAME)`);
  } else if (!isIP(suspended) !== !isIP(dnsTarget)) {
    // A record's type is not changed in place: a CNAME may have no neighbour, so one would go first.
    read.problem(
      `${name}=${suspended} must be of SCHOOL_DNS_TARGET's kind: ` +
        `both IP addresses (A records) or both host names (CNAME)`,
    );
  }
}

/** `SCS_RESERVED_SLUGS=a,b`: each must have a slug's shape (a built-in reserved name is allowed, as a no-op). */
function parseReservedSlugs(read: EnvReader): string[] {
  const slugs = listOf(read.env.SCS_RESERVED_SLUGS);
  for (const slug of slugs) {
    const parsed = Slug.parse(slug);
    if (!parsed.ok && parsed.error !== 'reserved') read.problem(`SCS_RESERVED_SLUGS: "${slug}" ${parsed.message}`);
  }
  return slugs;
}
