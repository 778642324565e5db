import type pg from 'pg';
import { systemClock, type Clock } from '../../../ports/clock.port.js';
import type { CertificatePem, CertificateProvider, IssuedCertificate } from '../../../ports/certificates.port.js';
import { StepError } from '../../../ports/step-error.js';
import { issueLeaf } from './leaf-certificate.js';
import { randomSerialNumber, type LocalCertificateAuthority } from './local-ca.js';

const DAY_MS = 24 * 3600 * 1000;
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

interface CertificateRow {
  serial_number: string;
  domain: string;
  not_before: Date;
  not_after: Date;
}

const COLUMNS = 'serial_number, domain, not_before, not_after';

const normalise = (domain: string) => domain.trim().toLowerCase().replace(/\.$/, '');

function canonicalDomain(domain: string): string {
  const name = normalise(domain);
  if (!HOSTNAME.test(name))
    throw StepError.permanent(`${JSON.stringify(domain)} is not a host name a certificate can be issued for`);
  return name;
}

/** `local` certificates: X.509 server certificates signed by the local CA, kept with their revocations. */
export class LocalCertificateProvider implements CertificateProvider {
  readonly name = 'local';
  private readonly validityDays: number;
  private readonly clock: Clock;

  /** `clock`: dates the certificates and says whether one has expired (the system clock unless given). */
  constructor(
    private readonly options: { pool: pg.Pool; ca: LocalCertificateAuthority; validityDays?: number; clock?: Clock },
  ) {
    this.validityDays = options.validityDays ?? 90;
    this.clock = options.clock ?? systemClock;
  }

  private view(row: CertificateRow): IssuedCertificate {
    return {
      reference: `local:${row.serial_number}`,
      serialNumber: row.serial_number,
      domain: row.domain,
      issuer: this.options.ca.subject,
      notBefore: row.not_before.toISOString(),
      notAfter: row.not_after.toISOString(),
    };
  }

  private async live(schoolId: string, domain: string): Promise<CertificateRow | undefined> {
    const rows = await this.options.pool.query<CertificateRow>(
      `SELECT ${COLUMNS} FROM local_certificates WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [schoolId, domain],
    );
    return rows.rows[0];
  }

  async issue(request: { schoolId: string; domain: string }): Promise<IssuedCertificate> {
    const domain = canonicalDomain(request.domain);
    const existing = await this.live(request.schoolId, domain);
    if (existing && existing.not_after.getTime() > this.clock.now().getTime()) return this.view(existing);
    if (existing) {
      // Expired: it no longer counts as the school's certificate, and the unique index needs the slot.
      await this.options.pool.query(
        `UPDATE local_certificates SET revoked_at = now(), revocation_reason = 'superseded' WHERE serial_number = $1 AND revoked_at IS NULL`,
        [existing.serial_number],
      );
    }
    const { serialNumber, certificatePem, privateKeyPem, notBefore, notAfter } = await this.sign(domain);
    // Two concurrent issues both sign, but the partial unique index lets one row in; the other reads it.
    const inserted = await this.options.pool.query<CertificateRow>(
      `INSERT INTO local_certificates (serial_number, school_id, domain, certificate_pem, private_key_pem, not_before, not_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (school_id, domain) WHERE revoked_at IS NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [serialNumber, request.schoolId, domain, certificatePem, privateKeyPem, notBefore, notAfter],
    );
    if (inserted.rows[0]) return this.view(inserted.rows[0]);
    const winner = await this.live(request.schoolId, domain);
    if (!winner)
      throw StepError.transient(
        `a concurrent certificate for ${domain} was revoked while this one was being stored; retry`,
      );
    return this.view(winner);
  }

  private async sign(domain: string) {
    const ca = this.options.ca;
    const serialNumber = randomSerialNumber();
    // Whole seconds (X.509 times have no fractions), back-dated a little (a minute, at most a tenth of
    // the lifetime) for clients with slow clocks.
    const backdate = Math.min(60_000, Math.floor((this.validityDays * DAY_MS) / 10 / 1000) * 1000);
    const notBefore = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000 - backdate);
    const notAfter = new Date(notBefore.getTime() + this.validityDays * DAY_MS);
    // A CA certificate without a subject key identifier: the identifier of its public key, as RFC 5280 computes it.
    const authorityKeyId =
      ca.keyIdentifier ?? Buffer.from(await ca.certificate.publicKey.getKeyIdentifier()).toString('hex');
    const { certificatePem, privateKeyPem } = issueLeaf({
      domain,
      serialNumber,
      notBefore,
      notAfter,
      issuer: ca.issuerName,
      authorityKeyId,
      caKey: ca.signingKey,
    });
    return { serialNumber, certificatePem, privateKeyPem, notBefore, notAfter };
  }

  async renew(request: { schoolId: string; domain: string; serialNumber: string }): Promise<IssuedCertificate> {
    const domain = canonicalDomain(request.domain);
    const live = await this.live(request.schoolId, domain);
    if (live && live.serial_number !== request.serialNumber) return this.view(live);
    const { serialNumber, certificatePem, privateKeyPem, notBefore, notAfter } = await this.sign(domain);
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE local_certificates SET revoked_at = now(), revocation_reason = 'superseded' WHERE serial_number = $1 AND revoked_at IS NULL`,
        [request.serialNumber],
      );
      const inserted = await client.query<CertificateRow>(
        `INSERT INTO local_certificates (serial_number, school_id, domain, certificate_pem, private_key_pem, not_before, not_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (school_id, domain) WHERE revoked_at IS NULL DO NOTHING
         RETURNING ${COLUMNS}`,
        [serialNumber, request.schoolId, domain, certificatePem, privateKeyPem, notBefore, notAfter],
      );
      await client.query('COMMIT');
      if (inserted.rows[0]) return this.view(inserted.rows[0]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const winner = await this.live(request.schoolId, domain);
    if (!winner) throw StepError.transient(`renewal of ${domain} raced a revocation; retry`);
    return this.view(winner);
  }

  async revoke(request: {
    schoolId: string;
    domain: string;
    reference?: string;
  }): Promise<{ revoked: boolean; reference?: string }> {
    const rows = await this.options.pool.query<{ serial_number: string }>(
      `UPDATE local_certificates SET revoked_at = now(), revocation_reason = 'cessationOfOperation'
       WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL RETURNING serial_number`,
      [request.schoolId, normalise(request.domain)],
    );
    // The partial unique index allows one live certificate per school and domain, so there is one row at most.
    if (rows.rows.length === 0) return { revoked: false };
    return { revoked: true, reference: `local:${rows.rows[0].serial_number}` };
  }

  async listActive(): Promise<Array<{ schoolId: string; domain: string; serialNumber: string }>> {
    const rows = await this.options.pool.query<{ school_id: string; domain: string; serial_number: string }>(
      'SELECT school_id, domain, serial_number FROM local_certificates WHERE revoked_at IS NULL ORDER BY issued_at, serial_number',
    );
    return rows.rows.map((r) => ({ schoolId: r.school_id, domain: r.domain, serialNumber: r.serial_number }));
  }

  /** The leaf alone as the chain: the local CA is the root clients are given, never sent by the server. */
  async pemOf(request: { schoolId: string; domain: string }): Promise<CertificatePem | undefined> {
    type Row = { serial_number: string; certificate_pem: string; private_key_pem: string };
    const rows = await this.options.pool.query<Row>(
      `SELECT serial_number, certificate_pem, private_key_pem FROM local_certificates
       WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [request.schoolId, normalise(request.domain)],
    );
    const row = rows.rows[0];
    if (!row) return undefined;
    return { serialNumber: row.serial_number, fullchainPem: row.certificate_pem, privateKeyPem: row.private_key_pem };
  }

  /** The PEM of an issued certificate (revoked ones too), for operators and tests. */
  async certificatePem(serialNumber: string): Promise<string | undefined> {
    const rows = await this.options.pool.query<{ certificate_pem: string }>(
      'SELECT certificate_pem FROM local_certificates WHERE serial_number = $1',
      [serialNumber.toLowerCase().replace(/^local:/, '')],
    );
    return rows.rows[0]?.certificate_pem;
  }
}
