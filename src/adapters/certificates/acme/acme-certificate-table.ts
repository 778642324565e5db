import { X509Certificate } from 'node:crypto';
import type pg from 'pg';
import type { CertificatePem, IssuedCertificate } from '../../../ports/certificates.port.js';
import { seal, unsealWithAny } from '../../secrets/secret-box.js';
import type { OrderedCertificate } from './acme-order.js';

const COLUMNS = 'domain, serial_number, not_before, not_after, certificate_pem, order_url';

export interface CertificateRow {
  domain: string;
  serial_number: string;
  not_before: Date;
  not_after: Date;
  certificate_pem: string;
  order_url: string;
}

export function toIssued(row: CertificateRow): IssuedCertificate {
  return {
    reference: row.order_url,
    serialNumber: row.serial_number,
    domain: row.domain,
    issuer: new X509Certificate(row.certificate_pem).issuer.replace(/\n/g, ', '),
    notBefore: row.not_before.toISOString(),
    notAfter: row.not_after.toISOString(),
  };
}

/**
 * `acme_certificates`: each owner's certificates with their keys sealed, at most one live (not revoked)
 * per owner and domain.
 */
export class AcmeCertificateTable {
  /** `keys`: the active sealing key, then older ones keys may have been sealed with. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: Buffer[],
  ) {}

  async live(owner: string, domain: string): Promise<CertificateRow | undefined> {
    const { rows } = await this.pool.query<CertificateRow>(
      `SELECT ${COLUMNS} FROM acme_certificates WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [owner, domain],
    );
    return rows[0];
  }

  /** The live certificate with its row id, to revoke. */
  async liveWithId(owner: string, domain: string): Promise<(CertificateRow & { id: string }) | undefined> {
    const { rows } = await this.pool.query<CertificateRow & { id: string }>(
      `SELECT id, ${COLUMNS} FROM acme_certificates WHERE school_id = $1 AND domain = $2 AND revoked_at IS NULL`,
      [owner, domain],
    );
    return rows[0];
  }

  /**
   * Two concurrent issues for one school both order (an ACME order can take a minute, too long to hold a
   * lock); the index keeps the first insert, both read it back, and the other certificate is left unused.
   */
  async insert(owner: string, domain: string, ordered: OrderedCertificate): Promise<void> {
    await this.insertWith(this.pool, owner, domain, ordered);
  }

  /** Retires `serialNumber` and stores its replacement in one transaction. */
  async replace(owner: string, domain: string, serialNumber: string, ordered: OrderedCertificate): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'UPDATE acme_certificates SET revoked_at = now() WHERE school_id = $1 AND domain = $2 AND serial_number = $3 AND revoked_at IS NULL',
        [owner, domain, serialNumber],
      );
      await this.insertWith(client, owner, domain, ordered);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async markRevoked(id: string): Promise<void> {
    await this.pool.query('UPDATE acme_certificates SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  }

  /** The live certificate's chain and its key, unsealed. */
  async pemOf(owner: string, domain: string): Promise<CertificatePem | undefined> {
    const { rows } = await this.pool.query<{
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
    const privateKeyPem = unsealWithAny(this.keys, row.private_key_enc).plaintext.toString('utf8');
    return { serialNumber: row.serial_number, fullchainPem: row.certificate_pem, privateKeyPem };
  }

  async listLive(): Promise<Array<{ school_id: string; domain: string; serial_number: string }>> {
    const { rows } = await this.pool.query<{ school_id: string; domain: string; serial_number: string }>(
      'SELECT school_id, domain, serial_number FROM acme_certificates WHERE revoked_at IS NULL ORDER BY issued_at',
    );
    return rows;
  }

  private async insertWith(
    db: Pick<pg.Pool, 'query'>,
    owner: string,
    domain: string,
    { certificatePem, keyPem, orderUrl }: OrderedCertificate,
  ): Promise<void> {
    const leaf = new X509Certificate(certificatePem);
    await db.query(
      `INSERT INTO acme_certificates (school_id, domain, serial_number, not_before, not_after, certificate_pem, private_key_enc, order_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (school_id, domain) WHERE revoked_at IS NULL DO NOTHING`,
      [
        owner,
        domain,
        leaf.serialNumber.toLowerCase(),
        new Date(leaf.validFrom),
        new Date(leaf.validTo),
        certificatePem,
        seal(this.keys[0], keyPem),
        orderUrl,
      ],
    );
  }
}
