import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { LocalDnsProvider } from '../../src/adapters/dns/local/local-dns.js';
import { migrationsDir } from '../../src/adapters/postgres/sql-migrations.js';
import { freshDatabase } from '../support/databases.js';
import { dnsOwnershipCases } from '../support/dns-ownership.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: pg.Pool;
let dns: LocalDnsProvider;

async function zoneSerial(zone = 'syncad.in'): Promise<number> {
  const rows = await pool.query<{ serial: string }>('SELECT serial::text FROM local_dns_zone WHERE zone = $1', [zone]);
  return Number(rows.rows[0]?.serial ?? 0);
}

beforeAll(async () => {
  db = await freshDatabase('scs_local_dns');
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  // Dropping the database WITH (FORCE) can reach a client pool.end() is still closing; that is not a failure.
  pool.on('error', () => undefined);
  await pool.query(readFileSync(join(migrationsDir('central'), '0003_local_providers.sql'), 'utf8'));
  dns = new LocalDnsProvider({ pool, zone: 'Syncad.IN.', owner: 'scs-prod' });
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('LocalDnsProvider', () => {
  it('creates a record, normalising the name, and references the new zone serial', async () => {
    const change = await dns.upsert({ name: 'Greenwood.Syncad.in.', type: 'A', value: '10.0.0.7', ttl: 300 });
    const serial = await zoneSerial();
    expect(change.reference).toBe(`local:${serial}`);
    expect(await dns.list()).toContainEqual({ name: 'greenwood.syncad.in', type: 'A', value: '10.0.0.7', ttl: 300 });
  });

  it('is idempotent: the same upsert again changes neither the records nor the serial', async () => {
    const first = await dns.upsert({ name: 'oak.syncad.in', type: 'A', value: '10.0.0.8', ttl: 300 });
    const before = await zoneSerial();
    const again = await dns.upsert({ name: 'oak.syncad.in', type: 'A', value: '10.0.0.8', ttl: 300 });
    expect(again.reference).toBe(first.reference);
    expect(await zoneSerial()).toBe(before);
    expect((await dns.list()).filter((r) => r.name === 'oak.syncad.in')).toHaveLength(1);
  });

  it('replaces the record set with the new value and bumps the serial', async () => {
    await dns.upsert({ name: 'maple.syncad.in', type: 'A', value: '10.0.0.9', ttl: 300 });
    const before = await zoneSerial();
    const change = await dns.upsert({ name: 'maple.syncad.in', type: 'A', value: '10.0.0.10', ttl: 60 });
    expect(change.reference).toBe(`local:${before + 1}`);
    expect((await dns.list()).filter((r) => r.name === 'maple.syncad.in')).toEqual([
      { name: 'maple.syncad.in', type: 'A', value: '10.0.0.10', ttl: 60 },
    ]);
  });

  it('keeps one record set per name and type under concurrent upserts, and one serial per change', async () => {
    const before = await zoneSerial();
    const values = Array.from({ length: 8 }, (_, i) => `10.1.0.${i + 1}`);
    const changes = await Promise.all(
      values.map((value) => dns.upsert({ name: 'race.syncad.in', type: 'A', value, ttl: 300 })),
    );
    const records = (await dns.list()).filter((r) => r.name === 'race.syncad.in');
    expect(records).toHaveLength(1);
    expect(values).toContain(records[0].value);
    expect(new Set(changes.map((c) => c.reference)).size).toBe(values.length);
    expect(await zoneSerial()).toBe(before + values.length);
  });

  it('removes a record, and a second remove succeeds with existed false', async () => {
    await dns.upsert({ name: 'elm.syncad.in', type: 'CNAME', value: 'lb.example.net.', ttl: 300 });
    const before = await zoneSerial();
    const removed = await dns.remove('ELM.syncad.in.', 'CNAME');
    expect(removed).toEqual({ existed: true, reference: `local:${before + 1}` });
    const again = await dns.remove('elm.syncad.in', 'CNAME');
    expect(again.existed).toBe(false);
    expect(await zoneSerial()).toBe(before + 1);
    expect((await dns.list()).some((r) => r.name === 'elm.syncad.in')).toBe(false);
  });

  it('removes only the asked type', async () => {
    await dns.upsert({ name: 'pine.syncad.in', type: 'A', value: '10.0.0.11', ttl: 300 });
    await dns.upsert({ name: '_acme-challenge.pine.syncad.in', type: 'TXT', value: 'token', ttl: 60 });
    expect((await dns.remove('pine.syncad.in', 'TXT')).existed).toBe(false);
    expect((await dns.list()).map((r) => `${r.name} ${r.type}`)).toEqual(
      expect.arrayContaining(['pine.syncad.in A', '_acme-challenge.pine.syncad.in TXT']),
    );
  });

  it('refuses names outside the zone and malformed values as permanent errors', async () => {
    const permanent = expect.objectContaining({ name: 'StepError', permanent: true });
    await expect(dns.upsert({ name: 'evil.example.com', type: 'A', value: '10.0.0.1', ttl: 300 })).rejects.toEqual(
      permanent,
    );
    await expect(dns.upsert({ name: 'notsyncad.in', type: 'A', value: '10.0.0.1', ttl: 300 })).rejects.toEqual(
      permanent,
    );
    await expect(dns.remove('evil.example.com', 'A')).rejects.toEqual(permanent);
    await expect(dns.upsert({ name: 'bad name.syncad.in', type: 'A', value: '10.0.0.1', ttl: 300 })).rejects.toEqual(
      permanent,
    );
    await expect(dns.upsert({ name: 'ip.syncad.in', type: 'A', value: 'not-an-ip', ttl: 300 })).rejects.toEqual(
      permanent,
    );
    expect((await dns.list()).some((r) => r.name.includes('evil') || r.name === 'ip.syncad.in')).toBe(false);
  });

  it('keeps zones apart', async () => {
    const other = new LocalDnsProvider({ pool, zone: 'example.org', owner: 'scs-prod' });
    await other.upsert({ name: 'a.example.org', type: 'A', value: '192.0.2.1', ttl: 300 });
    expect(await other.list()).toEqual([{ name: 'a.example.org', type: 'A', value: '192.0.2.1', ttl: 300 }]);
    expect((await dns.list()).some((r) => r.name === 'a.example.org')).toBe(false);
  });

  it('exports an RFC 1035 zone file with the current serial in the SOA', async () => {
    await dns.upsert({ name: 'birch.syncad.in', type: 'TXT', value: `say "hi" ${'x'.repeat(300)}`, ttl: 120 });
    const text = await dns.zoneFile();
    const serial = await zoneSerial();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('$ORIGIN syncad.in.');
    expect(text).toMatch(
      new RegExp(
        `^@ IN SOA ns1\\.syncad\\.in\\. hostmaster\\.syncad\\.in\\. \\( ${serial} \\d+ \\d+ \\d+ \\d+ \\)$`,
        'm',
      ),
    );
    expect(text).toMatch(/^@ IN NS ns1\.syncad\.in\.$/m);
    expect(lines).toContain('greenwood.syncad.in. 300 IN A 10.0.0.7');
    expect(lines).toContain('maple.syncad.in. 60 IN A 10.0.0.10');
    expect(text).not.toContain('a.example.org');
    // A TXT value longer than 255 octets becomes several quoted strings, with quotes escaped.
    const txt = lines.find((l) => l.startsWith('birch.syncad.in. 120 IN TXT '))!;
    const strings = [...txt.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    expect(strings.length).toBe(2);
    expect(strings.every((s) => s.replace(/\\(.)/g, '$1').length <= 255)).toBe(true);
    expect(strings.join('').replace(/\\(.)/g, '$1')).toBe(`say "hi" ${'x'.repeat(300)}`);
  });
});

describe('LocalDnsProvider ownership', () => {
  dnsOwnershipCases((owner) => new LocalDnsProvider({ pool, zone: 'owned.test', owner }), 'owned.test');
});
