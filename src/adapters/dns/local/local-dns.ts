import { isIPv4 } from 'node:net';
import type pg from 'pg';
import { foreignRecords, ownedBy, ownershipName, ownershipRecord } from '../../../ports/dns-ownership.js';
import {
  DnsNameTakenError,
  type DnsChange,
  type DnsProvider,
  type DnsRecord,
  type DnsRecordType,
  type DnsRelease,
} from '../../../ports/dns.port.js';
import { StepError } from '../../../ports/step-error.js';

// Underscores are allowed because ACME DNS-01 writes `_acme-challenge.<name>` TXT records.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function canonical(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** TXT character-strings are limited to 255 octets each (RFC 1035 §3.3.14), so long values are split. */
function txtStrings(value: string): string {
  const chunks: string[] = [];
  let rest = Buffer.from(value, 'utf8');
  do {
    chunks.push(rest.subarray(0, 255).toString('latin1'));
    rest = rest.subarray(255);
  } while (rest.length > 0);
  return chunks
    .map(
      (c) =>
        `"${c.replace(/["\\]/g, '\\$&').replace(/[^\x20-\x7e]/g, (ch) => `\\${ch.charCodeAt(0).toString().padStart(3, '0')}`)}"`,
    )
    .join(' ');
}

/**
 * `local` DNS: a zone SCS keeps in its central database. Every change bumps the zone's serial, which is
 * the change reference and the SOA serial of `zoneFile()`, so an operator can load it into a real server.
 */
export class LocalDnsProvider implements DnsProvider {
  readonly name = 'local';
  readonly zone: string;
  readonly owner: string;
  private readonly nameServer: string;

  constructor(private readonly options: { pool: pg.Pool; zone: string; owner: string; nameServer?: string }) {
    this.zone = canonical(options.zone);
    this.owner = options.owner;
    this.nameServer = canonical(options.nameServer ?? `ns1.${this.zone}`);
  }

  private inZone(name: string): string {
    const fqdn = canonical(name);
    if (fqdn !== this.zone && !fqdn.endsWith(`.${this.zone}`))
      throw StepError.permanent(`${fqdn} is not in the zone ${this.zone}`);
    if (!fqdn.split('.').every((label) => LABEL.test(label)))
      throw StepError.permanent(`${fqdn} is not a valid DNS name`);
    return fqdn;
  }

  private checkValue(record: DnsRecord): string {
    const value = record.type === 'CNAME' ? canonical(record.value) : record.value;
    const valid =
      record.type === 'A'
        ? isIPv4(value)
        : record.type === 'CNAME'
          ? value.split('.').every((label) => LABEL.test(label))
          : value.length > 0;
    if (!valid) throw StepError.permanent(`${JSON.stringify(record.value)} is not a valid ${record.type} record value`);
    if (!Number.isInteger(record.ttl) || record.ttl <= 0)
      throw StepError.permanent(`TTL ${record.ttl} must be a positive integer`);
    return value;
  }

  /** Runs `change` with the zone's row locked, so the serial orders changes; it bumps only when asked. */
  private async change<T>(
    fn: (client: pg.PoolClient) => Promise<{ changed: boolean; result: T }>,
  ): Promise<T & { serial: string }> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO local_dns_zone (zone, serial) VALUES ($1, 1) ON CONFLICT (zone) DO NOTHING', [
        this.zone,
      ]);
      const locked = await client.query<{ serial: string }>(
        'SELECT serial::text FROM local_dns_zone WHERE zone = $1 FOR UPDATE',
        [this.zone],
      );
      const { changed, result } = await fn(client);
      let serial = locked.rows[0].serial;
      if (changed) {
        const bumped = await client.query<{ serial: string }>(
          'UPDATE local_dns_zone SET serial = serial + 1 WHERE zone = $1 RETURNING serial::text',
          [this.zone],
        );
        serial = bumped.rows[0].serial;
      }
      await client.query('COMMIT');
      return { ...result, serial };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async claim(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    const name = this.inZone(record.name);
    const value = this.checkValue(record);
    const mark = ownershipRecord({ ...record, name, value }, this.owner, schoolId);
    // The zone's row is locked while the name is checked and written, so nobody writes it in between.
    const { serial } = await this.change(async (client) => {
      const foreign = foreignRecords(name, await this.at(client, name), this.owner, schoolId);
      if (foreign.length > 0) throw new DnsNameTakenError(name, foreign);
      let changed = false;
      for (const r of [mark, { ...record, name, value }]) changed = (await this.write(client, r)) || changed;
      return { changed, result: {} };
    });
    return { reference: `local:${serial}` };
  }

  async release(name: string, type: DnsRecordType, schoolId: string): Promise<DnsRelease> {
    const fqdn = this.inZone(name);
    const { existed, owned, serial } = await this.change(async (client) => {
      const here = await this.at(client, fqdn);
      const found = here.some((r) => r.name === fqdn && r.type === type);
      if (!ownedBy(fqdn, here, this.owner, schoolId))
        return { changed: false, result: { existed: found, owned: !found } };
      let gone = 0;
      for (const [n, t] of [
        [fqdn, type],
        [ownershipName(fqdn), 'TXT'],
      ] as const)
        gone += await this.delete(client, n, t);
      return { changed: gone > 0, result: { existed: found, owned: true } };
    });
    return { existed, owned, reference: `local:${serial}` };
  }

  async adopt(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    const name = this.inZone(record.name);
    const { serial } = await this.change(async (client) => {
      const changed = await this.write(client, ownershipRecord({ ...record, name }, this.owner, schoolId));
      return { changed, result: {} };
    });
    return { reference: `local:${serial}` };
  }

  async upsert(record: DnsRecord): Promise<DnsChange> {
    const name = this.inZone(record.name);
    const value = this.checkValue(record);
    // A re-run with the same value changes nothing, so the serial (and the reference) stays put.
    const { serial } = await this.change(async (client) => {
      const changed = await this.write(client, { ...record, name, value });
      return { changed, result: {} };
    });
    return { reference: `local:${serial}` };
  }

  async remove(name: string, type: DnsRecordType): Promise<DnsChange & { existed: boolean }> {
    const fqdn = this.inZone(name);
    const { existed, serial } = await this.change(async (client) => {
      const gone = (await this.delete(client, fqdn, type)) > 0;
      return { changed: gone, result: { existed: gone } };
    });
    return { existed, reference: `local:${serial}` };
  }

  async recordsAt(name: string): Promise<DnsRecord[]> {
    return this.at(this.options.pool, this.inZone(name));
  }

  private async at(client: pg.Pool | pg.PoolClient, name: string): Promise<DnsRecord[]> {
    const rows = await client.query<DnsRecord>(
      `SELECT name, type, value, ttl FROM local_dns_records
        WHERE zone = $1 AND (name = $2 OR right(name, length($2) + 1) = '.' || $2) ORDER BY name, type`,
      [this.zone, name],
    );
    return rows.rows;
  }

  /** Writes a record set; true when that changed something. */
  private async write(client: pg.PoolClient, record: DnsRecord): Promise<boolean> {
    const written = await client.query(
      `INSERT INTO local_dns_records (zone, name, type, value, ttl) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (zone, name, type) DO UPDATE SET value = EXCLUDED.value, ttl = EXCLUDED.ttl, updated_at = now()
       WHERE (local_dns_records.value, local_dns_records.ttl) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.ttl)`,
      [this.zone, record.name, record.type, record.value, record.ttl],
    );
    return (written.rowCount ?? 0) > 0;
  }

  private async delete(client: pg.PoolClient, name: string, type: DnsRecordType): Promise<number> {
    const deleted = await client.query('DELETE FROM local_dns_records WHERE zone = $1 AND name = $2 AND type = $3', [
      this.zone,
      name,
      type,
    ]);
    return deleted.rowCount ?? 0;
  }

  async list(): Promise<DnsRecord[]> {
    const rows = await this.options.pool.query<DnsRecord>(
      'SELECT name, type, value, ttl FROM local_dns_records WHERE zone = $1 ORDER BY name, type',
      [this.zone],
    );
    return rows.rows;
  }

  /**
   * The zone as an RFC 1035 master file. It carries an NS record because a name server refuses a zone
   * without one; the name server itself is the operator's (`nameServer` option, `ns1.<zone>` by default).
   */
  async zoneFile(): Promise<string> {
    const client = await this.options.pool.connect();
    try {
      // One snapshot for the serial and the records, so the SOA serial describes exactly these records.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const zone = await client.query<{ serial: string }>('SELECT serial::text FROM local_dns_zone WHERE zone = $1', [
        this.zone,
      ]);
      const records = await client.query<DnsRecord>(
        'SELECT name, type, value, ttl FROM local_dns_records WHERE zone = $1 ORDER BY name, type',
        [this.zone],
      );
      await client.query('COMMIT');
      const serial = zone.rows[0]?.serial ?? '1';
      const lines = [
        `$ORIGIN ${this.zone}.`,
        '$TTL 300',
        `@ IN SOA ${this.nameServer}. hostmaster.${this.zone}. ( ${serial} 3600 600 604800 60 )`,
        `@ IN NS ${this.nameServer}.`,
      ];
      for (const r of records.rows) {
        const value = r.type === 'TXT' ? txtStrings(r.value) : r.type === 'CNAME' ? `${r.value}.` : r.value;
        lines.push(`${r.name}. ${r.ttl} IN ${r.type} ${value}`);
      }
      return `${lines.join('\n')}\n`;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
