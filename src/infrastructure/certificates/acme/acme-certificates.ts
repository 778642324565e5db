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
import acme from 'acme-client';
import type pg from 'pg';
import type {
  CertificatePem,
  CertificateProvider,
  IssuedCertificate,
} from '../../../application/ports/certificates.port.js';
import type { DnsProvider } from '../../../application/ports/dns.port.js';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import { silentLogger } from '../../../application/ports/logger.port.js';
import { StepError } from '../../../application/ports/step-error.js';
import { traced, type AcmeTrace } from './acme-trace.js';
import { waitForTxt } from './dns-propagation.js';
import { checkKey, seal, unsealWithAny } from '../../secrets/secret-box.js';

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
export const SHARED_OWNER = '00000000-0000-0000-0000-000000000000';
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const PERMANENT = new Set([
  'unauthorized',
  'caa',
  'rejectedIdentifier',
  'malformed',
  'unsupportedIdentifier',
  'invalidContact',
]);
// Status polls start fast (Pebble answers in milliseconds) and back off to 10 s for a real CA: ~60 s in all.
const BACKOFF = { backoffAttempts: 12, backoffMin: 50, backoffMax: 10_000 };
const COLUMNS = 'domain, serial_number, not_before, not_after, certificate_pem, order_url';

interface CertificateRow {
  domain: string;
  serial_number: string;
  not_before: Date;
  not_after: Date;
  certificate_pem: string;
  order_url: string;
}

function canonicalDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name))
    throw StepError.permanent(`${JSON.stringify(domain)} is not a host name a certificate can be issued for`);
  return name;
}

function toIssued(row: CertificateRow): IssuedCertificate {
  return {
    reference: row.order_url,
    serialNumber: row.serial_number,
    domain: row.domain,
    issuer: new X509Certificate(row.certificate_pem).issuer.replace(/\n/g, ', '),
    notBefore: row.not_before.toISOString(),
    notAfter: row.not_after.toISOString(),
  };
}

export class AcmeCertificateProvider implements CertificateProvider {
  readonly name = 'acme';
  private readonly key: Buffer;
  private readonly logger: AppLogger;
  private client?: Promise<acme.Client>;

  constructor(private readonly options: AcmeCertificateOptions) {
    this.key = checkKey(options.encryptionKey);
    this.logger = options.logger ?? silentLogger;
  }

  async issue(request: { schoolId: string; domain: string }): Promise<IssuedCertificate> {
    const host = canonicalDomain(request.domain);
    const [owner, domain] = this.options.wildcard
      ? [SHARED_OWNER, `*.${host.slice(host.indexOf('.') + 1)}`]
      : [request.schoolId, host];
    const live = await this.live(owner, domain);
    if (live) return toIssued(live);

    const started = Date.now();
    const { certificatePem, keyPem, orderUrl } = await this.order(domain);
    const leaf = new X509Certificate(certificatePem);
    // Two concurrent issues for one school both order (an ACME order can take a minute, too long to hold a
    // lock); the index keeps the first insert, both return it, and the other certificate is left unused.
    await this.options.pool.query(
      `INSERT INTO acme_certificates (school_id, domain, serial_number, not_before, not_after, certificate_pem, private_key_enc, order_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (school_id, domain) WHERE revoked_at IS NULL DO NOTHING`,
      [
        owner,
        domain,
        leaf.serialNumber.toLowerCase(),
        new Date(leaf.validFrom),
        new Date(leaf.validTo),
        certificatePem,
        seal(this.key, keyPem),
        orderUrl,
      ],
    );
    this.logger.log(`acme: issued ${domain} (serial ${leaf.serialNumber.toLowerCase()}) in ${Date.now() - started} ms`);
    return toIssued((await this.live(owner, domain))!);
  }

  /** Orders a replacement; the old certificate is retired in the same transaction, not revoked at the CA. */
  async renew(request: { schoolId: string; domain: string; serialNumber: string }): Promise<IssuedCertificate> {
    const host = canonicalDomain(request.domain);
    const [owner, domain] = this.options.wildcard
      ? [SHARED_OWNER, `*.${host.slice(host.indexOf('.') + 1)}`]
      : [request.schoolId, host];
    const live = await this.live(owner, domain);
    if (live && live.serial_number !== request.serialNumber) return toIssued(live);
    const { certificatePem, keyPem, orderUrl } = await this.order(domain);
    const leaf = new X509Certificate(certificatePem);
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'UPDATE acme_certificates SET revoked_at = now() WHERE school_id = $1 AND domain = $2 AND serial_number = $3 AND revoked_at IS NULL',
        [owner, domain, request.serialNumber],
      );
      await client.query(
        `INSERT INTO acme_certificates (school_id, domain, serial_number, not_before, not_after, certificate_pem, private_key_enc, order_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (school_id, domain) WHERE revoked_at IS NULL DO NOTHING`,
        [
          owner,
          domain,
          leaf.serialNumber.toLowerCase(),
          new Date(leaf.validFrom),
          new Date(leaf.validTo),
          certificatePem,
          seal(this.key, keyPem),
          orderUrl,
        ],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.logger.log(`acme: renewed ${domain} (serial ${leaf.serialNumber.toLowerCase()})`);
    return toIssued((await this.live(owner, domain))!);
  }

  async revoke(request: {
    schoolId: string;
    domain: string;
    reference?: string;
  }): Promise<{ revoked: boolean; reference?: string }> {
    const { rows } = await this.options.pool.query<CertificateRow & { id: string }>(
      `SELECT id, ${COLUMNS} FROM acme_certificates WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [request.schoolId, canonicalDomain(request.domain)],
    );
    const row = rows[0];
    if (!row) return { revoked: false };
    const trace: AcmeTrace = { problems: [] };
    try {
      const client = await this.account();
      await traced(trace, () => client.revokeCertificate(row.certificate_pem, { reason: 5 })); // cessationOfOperation
    } catch (error) {
      if (!trace.problems.some((p) => p.type === 'alreadyRevoked')) throw classify(error, trace);
    }
    await this.options.pool.query(
      'UPDATE acme_certificates SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [row.id],
    );
    return { revoked: true, reference: row.order_url };
  }

  /** The chain the CA sent (leaf first) and the key, unsealed; the shared certificate in wildcard mode. */
  async pemOf(request: { schoolId: string; domain: string }): Promise<CertificatePem | undefined> {
    const host = canonicalDomain(request.domain);
    const [owner, domain] = this.options.wildcard
      ? [SHARED_OWNER, `*.${host.slice(host.indexOf('.') + 1)}`]
      : [request.schoolId, host];
    const { rows } = await this.options.pool.query<{
      serial_number: string;
      certificate_pem: string;
      private_key_enc: Buffer;
    }>(
      `SELECT serial_number, certificate_pem, private_key_enc FROM acme_certificates
       WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [owner, domain],
    );
    const row = rows[0];
    if (!row) return undefined;
    const keys = [this.key, ...(this.options.decryptionKeys ?? [])];
    const privateKeyPem = unsealWithAny(keys, row.private_key_enc).plaintext.toString('utf8');
    return { serialNumber: row.serial_number, fullchainPem: row.certificate_pem, privateKeyPem };
  }

  async listActive(): Promise<Array<{ schoolId: string; domain: string; serialNumber: string; shared?: boolean }>> {
    const { rows } = await this.options.pool.query<{ school_id: string; domain: string; serial_number: string }>(
      'SELECT school_id, domain, serial_number FROM acme_certificates WHERE revoked_at IS NULL ORDER BY issued_at',
    );
    return rows.map((r) => ({
      schoolId: r.school_id,
      domain: r.domain,
      serialNumber: r.serial_number,
      ...(r.school_id === SHARED_OWNER && { shared: true }),
    }));
  }

  private async live(owner: string, domain: string): Promise<CertificateRow | undefined> {
    const { rows } = await this.options.pool.query<CertificateRow>(
      `SELECT ${COLUMNS} FROM acme_certificates WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [owner, domain],
    );
    return rows[0];
  }

  private async order(domain: string): Promise<{ certificatePem: string; keyPem: string; orderUrl: string }> {
    const [key, csr] = await acme.crypto.createCsr({ commonName: domain }, await acme.crypto.createPrivateEcdsaKey());
    const trace: AcmeTrace = { problems: [] };
    const { dns, dnsResolver, propagationTimeoutMs = 120_000 } = this.options;
    try {
      const client = await this.account();
      const certificatePem = await traced(trace, () =>
        client.auto({
          csr,
          email: this.options.accountEmail,
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
              .catch((e: unknown) => this.logger.warn(`acme: could not remove ${name} TXT: ${String(e)}`));
          },
        }),
      );
      if (!trace.orderUrl)
        throw StepError.transient(
          `the ACME server at ${this.options.directoryUrl} returned no order URL for ${domain}`,
        );
      return { certificatePem, keyPem: key.toString(), orderUrl: trace.orderUrl };
    } catch (error) {
      throw classify(error, trace);
    }
  }

  /** The account key is made once per directory and kept; the account URL is remembered after registering. */
  private account(): Promise<acme.Client> {
    this.client ??= this.loadAccount().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async loadAccount(): Promise<acme.Client> {
    const { pool, directoryUrl, accountEmail } = this.options;
    const select = () =>
      pool.query<{ account_key_enc: Buffer; account_url: string | null }>(
        'SELECT account_key_enc, account_url FROM acme_accounts WHERE directory_url = $1',
        [directoryUrl],
      );
    let row = (await select()).rows[0];
    if (!row) {
      const created = await acme.crypto.createPrivateEcdsaKey();
      // Racing processes: the first key stored wins and everyone reads it back.
      await pool.query(
        'INSERT INTO acme_accounts (directory_url, email, account_key_enc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [directoryUrl, accountEmail, seal(this.key, created)],
      );
      row = (await select()).rows[0];
    }
    const opened = unsealWithAny([this.key, ...(this.options.decryptionKeys ?? [])], row.account_key_enc);
    const accountKey = opened.plaintext;
    // Sealed with an older credentials key: sealed again with the active one, so that key can be retired.
    if (opened.keyIndex > 0) {
      const resealed = seal(this.key, accountKey);
      const sql = 'UPDATE acme_accounts SET account_key_enc = $2 WHERE directory_url = $1';
      await pool.query(sql, [directoryUrl, resealed]);
    }
    const client = new acme.Client({ directoryUrl, accountKey, accountUrl: row.account_url ?? undefined, ...BACKOFF });
    if (!row.account_url) {
      const trace: AcmeTrace = { problems: [] };
      try {
        // With an existing key the CA answers with that account, so a repeat is harmless.
        await traced(trace, () =>
          client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${accountEmail}`] }),
        );
      } catch (error) {
        throw classify(error, trace);
      }
      await pool.query('UPDATE acme_accounts SET account_url = $2 WHERE directory_url = $1', [
        directoryUrl,
        client.getAccountUrl(),
      ]);
    }
    return client;
  }
}

/** ACME problem types decide; what has none (connection errors, timeouts, 5xx) is worth retrying. */
export function classify(error: unknown, trace: AcmeTrace): StepError {
  if (error instanceof StepError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // The problem behind this error is the one whose detail acme-client copied into the message.
  const problem = [...trace.problems].reverse().find((p) => p.detail === message);
  if (problem?.type === 'rateLimited') {
    const after = problem.retryAfter ? `; retry after ${problem.retryAfter}` : '';
    return StepError.transient(`ACME rate limit: ${problem.detail}${after}`, error);
  }
  if (problem && PERMANENT.has(problem.type))
    return StepError.permanent(`ACME ${problem.type}: ${problem.detail}`, error);
  const code = (error as { code?: string }).code;
  return StepError.transient(`ACME ${problem?.type ?? code ?? 'error'}: ${message}`, error);
}
