/*
 * `acme` certificates: Let's Encrypt (or any RFC 8555 CA) through DNS-01 on the configured DnsProvider.
 *
 * Per school (the default) every school gets its own certificate for its own host name. Let's Encrypt
 * allows 50 new certificates per registered domain per week, so a fleet provisioning more than about 50
 * schools a week under one domain has to ask for a higher limit or use `wildcard: true`: one
 * `*.<zone>` certificate, ordered once and shared by every school (returned by each school's `issue`,
 * never revoked by one school's `revoke`). The trade-off: one key serves all tenants, so its compromise
 * concerns all of them, and revoking it is an operator's decision outside SCS.
 */
import { X509Certificate } from 'node:crypto';
import type pg from 'pg';
import type { CertificatePem, CertificateProvider, IssuedCertificate } from '../../../ports/certificates.port.js';
import type { DnsProvider } from '../../../ports/dns.port.js';
import type { AppLogger } from '../../../ports/logger.port.js';
import { silentLogger } from '../../../ports/logger.port.js';
import { StepError } from '../../../ports/step-error.js';
import { AcmeAccount } from './acme-account.js';
import { AcmeCertificateTable, toIssued } from './acme-certificate-table.js';
import { orderCertificate, type OrderedCertificate, type OrderOptions } from './acme-order.js';
import { classify } from './acme-problems.js';
import { traced, type AcmeTrace } from './acme-trace.js';
import { checkKey } from '../../secrets/secret-box.js';

export interface AcmeCertificateOptions {
  pool: pg.Pool;
  dns: DnsProvider;
  directoryUrl: string;
  accountEmail: string;
  /** host:port of the zone's authoritative server, asked directly before the CA is told to validate. */
  dnsResolver?: string;
  /** 32 bytes: AES-256-GCM for the account and certificate private keys at rest. */
  encryptionKey: Buffer;
  /** Older keys values may have been sealed with (credentials keys still listed), tried after it. */
  decryptionKeys?: Buffer[];
  wildcard?: boolean;
  /** How long the DNS-01 record may take to appear at `dnsResolver` (default 120 s). */
  propagationTimeoutMs?: number;
  logger?: AppLogger;
}

/** The owner of the shared wildcard certificate. */
const SHARED_OWNER = '00000000-0000-0000-0000-000000000000';
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

function canonicalDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name))
    throw StepError.permanent(`${JSON.stringify(domain)} is not a host name a certificate can be issued for`);
  return name;
}

export class AcmeCertificateProvider implements CertificateProvider {
  readonly name = 'acme';
  private readonly logger: AppLogger;
  private readonly account: AcmeAccount;
  private readonly table: AcmeCertificateTable;
  private readonly ordering: OrderOptions;

  constructor(private readonly options: AcmeCertificateOptions) {
    const keys = [checkKey(options.encryptionKey), ...(options.decryptionKeys ?? [])];
    this.logger = options.logger ?? silentLogger;
    const { pool, directoryUrl, accountEmail, dns, dnsResolver, propagationTimeoutMs = 120_000 } = options;
    this.account = new AcmeAccount({ pool, directoryUrl, accountEmail, keys });
    this.table = new AcmeCertificateTable(pool, keys);
    this.ordering = { dns, dnsResolver, propagationTimeoutMs, accountEmail, directoryUrl, logger: this.logger };
  }

  async issue(request: { schoolId: string; domain: string }): Promise<IssuedCertificate> {
    const [owner, domain] = this.ownerOf(request);
    const live = await this.table.live(owner, domain);
    if (live) return toIssued(live);

    const started = Date.now();
    const ordered = await this.order(domain);
    await this.table.insert(owner, domain, ordered);
    const serial = new X509Certificate(ordered.certificatePem).serialNumber.toLowerCase();
    this.logger.log(`acme: issued ${domain} (serial ${serial}) in ${Date.now() - started} ms`);
    return toIssued((await this.table.live(owner, domain))!);
  }

  /** Orders a replacement; the old certificate is retired in the same transaction, not revoked at the CA. */
  async renew(request: { schoolId: string; domain: string; serialNumber: string }): Promise<IssuedCertificate> {
    const [owner, domain] = this.ownerOf(request);
    const live = await this.table.live(owner, domain);
    if (live && live.serial_number !== request.serialNumber) return toIssued(live);
    const ordered = await this.order(domain);
    await this.table.replace(owner, domain, request.serialNumber, ordered);
    const serial = new X509Certificate(ordered.certificatePem).serialNumber.toLowerCase();
    this.logger.log(`acme: renewed ${domain} (serial ${serial})`);
    return toIssued((await this.table.live(owner, domain))!);
  }

  async revoke(request: {
    schoolId: string;
    domain: string;
    reference?: string;
  }): Promise<{ revoked: boolean; reference?: string }> {
    const row = await this.table.liveWithId(request.schoolId, canonicalDomain(request.domain));
    if (!row) return { revoked: false };
    const trace: AcmeTrace = { problems: [] };
    try {
      const client = await this.account.open();
      await traced(trace, () => client.revokeCertificate(row.certificate_pem, { reason: 5 })); // cessationOfOperation
    } catch (error) {
      if (!trace.problems.some((p) => p.type === 'alreadyRevoked')) throw classify(error, trace);
    }
    await this.table.markRevoked(row.id);
    return { revoked: true, reference: row.order_url };
  }

  /** The chain the CA sent (leaf first) and the key, unsealed; the shared certificate in wildcard mode. */
  async pemOf(request: { schoolId: string; domain: string }): Promise<CertificatePem | undefined> {
    const [owner, domain] = this.ownerOf(request);
    return this.table.pemOf(owner, domain);
  }

  async listActive(): Promise<Array<{ schoolId: string; domain: string; serialNumber: string; shared?: boolean }>> {
    const rows = await this.table.listLive();
    return rows.map((r) => ({
      schoolId: r.school_id,
      domain: r.domain,
      serialNumber: r.serial_number,
      ...(r.school_id === SHARED_OWNER && { shared: true }),
    }));
  }

  /** Whose certificate serves the school, for which name: its own, or the shared wildcard one. */
  private ownerOf(request: { schoolId: string; domain: string }): [owner: string, domain: string] {
    const host = canonicalDomain(request.domain);
    return this.options.wildcard ? [SHARED_OWNER, `*.${host.slice(host.indexOf('.') + 1)}`] : [request.schoolId, host];
  }

  private order(domain: string): Promise<OrderedCertificate> {
    return orderCertificate(this.account, domain, this.ordering);
  }
}
