import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import acme from 'acme-client';
import pg from 'pg';
import type { DnsProvider, DnsRecord } from '../../src/ports/dns.port.js';
import { StepError } from '../../src/ports/step-error.js';
import { AcmeCertificateProvider } from '../../src/adapters/certificates/acme/acme-certificates.js';
import { classify } from '../../src/adapters/certificates/acme/acme-problems.js';
import { unseal } from '../../src/adapters/secrets/secret-box.js';
import { PowerDnsProvider } from '../../src/adapters/dns/powerdns/powerdns-dns.js';
import { migrationsDir } from '../../src/adapters/postgres/sql-migrations.js';
import { freshDatabase } from '../support/databases.js';
import {
  describeWith,
  freePort,
  startPebble,
  startPowerDns,
  type PebbleServer,
  type PowerDnsServer,
} from '../support/self-hosted.js';

const SCHOOL_A = '11111111-1111-4111-8111-111111111111';
const SCHOOL_B = '22222222-2222-4222-8222-222222222222';

async function rejection(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

describe('ACME error classification', () => {
  const trace = (type: string, detail: string, retryAfter?: string) => ({ problems: [{ type, detail, retryAfter }] });

  it('makes a rate limit transient and keeps its Retry-After in the message', () => {
    const error = classify(new Error('too many certificates'), trace('rateLimited', 'too many certificates', '3600'));
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/rate limit.*too many certificates.*retry after 3600/);
  });

  it.each(['unauthorized', 'caa', 'rejectedIdentifier', 'malformed'])('makes %s permanent', (type) => {
    expect(classify(new Error('no'), trace(type, 'no')).permanent).toBe(true);
  });

  it('makes errors without a problem document (connections, 5xx) transient and keeps StepErrors as they are', () => {
    expect(
      classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), { problems: [] }).permanent,
    ).toBe(false);
    // A problem that acme-client retried past (another detail) does not decide.
    expect(classify(new Error('socket hang up'), trace('unauthorized', 'earlier')).permanent).toBe(false);
    const own = StepError.permanent('out of zone');
    expect(classify(own, trace('rateLimited', 'out of zone'))).toBe(own);
  });
});

describeWith(['pdns_server', 'gsqlite3', 'sqlite3', 'dig', 'pebble', 'openssl'])(
  'AcmeCertificateProvider against Pebble and PowerDNS',
  () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let pool: pg.Pool;
    let powerdns: PowerDnsServer;
    let pebble: PebbleServer;
    let dns: PowerDnsProvider;
    let resolver: string;
    const encryptionKey = randomBytes(32);
    const log: string[] = [];

    const provider = (options: Partial<ConstructorParameters<typeof AcmeCertificateProvider>[0]> = {}) =>
      new AcmeCertificateProvider({
        pool,
        dns,
        directoryUrl: pebble.directoryUrl,
        accountEmail: 'ops@scs.test',
        dnsResolver: resolver,
        encryptionKey,
        logger: { log: (m) => log.push(m), warn: (m) => log.push(m), error: (m) => log.push(m) },
        ...options,
      });

    async function pemOf(path: string): Promise<X509Certificate> {
      const { status, body } = await pebble.management(path);
      expect(status).toBe(200);
      return new X509Certificate(body);
    }

    async function pebbleStatus(serialNumber: string): Promise<string> {
      const { status, body } = await pebble.management(`/cert-status-by-serial/${serialNumber}`);
      expect(status).toBe(200);
      return (JSON.parse(body) as { Status: string }).Status;
    }

    beforeAll(async () => {
      db = await freshDatabase('scs_acme');
      pool = new pg.Pool({ connectionString: db.url, max: 5 });
      pool.on('error', () => undefined);
      await pool.query(readFileSync(join(migrationsDir('central'), '0004_acme.sql'), 'utf8'));
      powerdns = await startPowerDns('scs.test');
      resolver = `127.0.0.1:${powerdns.dnsPort}`;
      pebble = await startPebble(resolver);
      // acme-client talks through its own axios instance: it must trust Pebble's throwaway HTTPS CA.
      acme.axios.defaults.httpsAgent = pebble.httpsAgent;
      dns = new PowerDnsProvider({
        apiUrl: powerdns.apiUrl,
        apiKey: powerdns.apiKey,
        zone: 'scs.test',
        owner: 'scs-test',
      });
    });

    afterAll(async () => {
      acme.axios.defaults.httpsAgent = undefined;
      await pebble?.stop();
      await powerdns?.stop();
      await pool?.end();
      await db?.drop();
    });

    let first: Awaited<ReturnType<AcmeCertificateProvider['issue']>>;

    it('issues through DNS-01 on PowerDNS a certificate that chains to Pebble, and removes the challenge record', async () => {
      const certificates = provider();
      const started = performance.now();
      first = await certificates.issue({ schoolId: SCHOOL_A, domain: 'Greenwood.scs.test' });
      const elapsed = performance.now() - started;
      console.log(`ACME issuance against Pebble (account registration + DNS-01 on PowerDNS): ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(2000);

      const { rows } = await pool.query(
        'SELECT certificate_pem, order_url FROM acme_certificates WHERE school_id = $1',
        [SCHOOL_A],
      );
      expect(rows).toHaveLength(1);
      const leaf = new X509Certificate(rows[0].certificate_pem);
      const [intermediate, root] = [await pemOf('/intermediates/0'), await pemOf('/roots/0')];
      expect(leaf.subjectAltName).toBe('DNS:greenwood.scs.test');
      expect(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)).toBe(true);
      expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
      expect(leaf.verify(root.publicKey)).toBe(false);
      expect(first).toMatchObject({
        domain: 'greenwood.scs.test',
        serialNumber: leaf.serialNumber.toLowerCase(),
        reference: rows[0].order_url,
      });
      expect(first.reference).toMatch(new RegExp(`^${new URL(pebble.directoryUrl).origin}/`));
      expect(first.issuer).toContain('Pebble Intermediate');
      expect(new Date(first.notAfter).getTime()).toBeGreaterThan(Date.now());

      expect(await powerdns.dig('_acme-challenge.greenwood.scs.test', 'TXT')).toEqual([]);
      expect((await dns.list()).filter((r) => r.name.startsWith('_acme-challenge'))).toEqual([]);
    });

    it('returns the live certificate on a second issue instead of ordering again', async () => {
      const again = await provider().issue({ schoolId: SCHOOL_A, domain: 'greenwood.scs.test' });
      expect(again).toEqual(first);
      expect((await pool.query('SELECT 1 FROM acme_certificates')).rowCount).toBe(1);
      expect(await provider().listActive()).toEqual([
        { schoolId: SCHOOL_A, domain: 'greenwood.scs.test', serialNumber: first.serialNumber },
      ]);
    });

    it('keeps the certificate and account keys only encrypted, and they open to the matching keys', async () => {
      const { rows } = await pool.query('SELECT certificate_pem, private_key_enc FROM acme_certificates');
      const sealed: Buffer = rows[0].private_key_enc;
      expect(sealed.toString('latin1')).not.toContain('PRIVATE KEY');
      const key = createPrivateKey(unseal(encryptionKey, sealed));
      const leafKey = new X509Certificate(rows[0].certificate_pem).publicKey;
      expect(createPublicKey(key).export({ format: 'der', type: 'spki' })).toEqual(
        leafKey.export({ format: 'der', type: 'spki' }),
      );
      expect(() => unseal(randomBytes(32), sealed)).toThrow();

      const account = await pool.query('SELECT account_key_enc, account_url FROM acme_accounts');
      expect(account.rows).toHaveLength(1);
      expect(account.rows[0].account_key_enc.toString('latin1')).not.toContain('PRIVATE KEY');
      expect(account.rows[0].account_url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    });

    it('revokes at Pebble (its management API shows Revoked); a second revoke reports revoked false', async () => {
      expect(await pebbleStatus(first.serialNumber)).toBe('Valid');
      const certificates = provider();
      expect(await certificates.revoke({ schoolId: SCHOOL_A, domain: 'greenwood.scs.test' })).toEqual({
        revoked: true,
        reference: first.reference,
      });
      expect(await pebbleStatus(first.serialNumber)).toBe('Revoked');
      expect(await certificates.revoke({ schoolId: SCHOOL_A, domain: 'greenwood.scs.test' })).toEqual({
        revoked: false,
      });
      expect(await certificates.revoke({ schoolId: SCHOOL_B, domain: 'never.scs.test' })).toEqual({ revoked: false });
      expect(await certificates.listActive()).toEqual([]);
    });

    it('orders a new certificate once the old one is revoked', async () => {
      const renewed = await provider().issue({ schoolId: SCHOOL_A, domain: 'greenwood.scs.test' });
      expect(renewed.serialNumber).not.toBe(first.serialNumber);
      expect(await pebbleStatus(renewed.serialNumber)).toBe('Valid');
    });

    it('shares one *.zone certificate between schools in wildcard mode; one school revoking leaves it alone', async () => {
      const wildcard = provider({ wildcard: true });
      const a = await wildcard.issue({ schoolId: SCHOOL_A, domain: 'greenwood.scs.test' });
      const b = await wildcard.issue({ schoolId: SCHOOL_B, domain: 'oakridge.scs.test' });
      expect(b).toEqual(a);
      expect(a.domain).toBe('*.scs.test');
      const { rows } = await pool.query("SELECT certificate_pem FROM acme_certificates WHERE domain = '*.scs.test'");
      expect(rows).toHaveLength(1);
      expect(new X509Certificate(rows[0].certificate_pem).subjectAltName).toBe('DNS:*.scs.test');

      expect(await wildcard.revoke({ schoolId: SCHOOL_B, domain: 'oakridge.scs.test' })).toEqual({ revoked: false });
      expect(await pebbleStatus(a.serialNumber)).toBe('Valid');
      // Listed as shared (the reconciler accounts every school under the zone with it), never as a school's.
      expect((await wildcard.listActive()).filter((c) => c.domain === '*.scs.test')).toEqual([
        { schoolId: expect.any(String), domain: '*.scs.test', serialNumber: a.serialNumber, shared: true },
      ]);
    });

    it('fails permanently when the DNS provider refuses the challenge record (name outside its zone)', async () => {
      const error = await rejection(provider().issue({ schoolId: SCHOOL_B, domain: 'oakridge.elsewhere.test' }));
      expect(error.permanent).toBe(true);
      expect(error.message).toMatch(/out of zone/);
    });

    it('fails transiently when the challenge record does not show up in time, and still removes it', async () => {
      const wrongValue: DnsProvider = Object.assign(Object.create(dns) as DnsProvider, {
        name: 'wrong-value',
        upsert: (record: DnsRecord) => dns.upsert({ ...record, value: `${record.value}-not-it` }),
      });
      const error = await rejection(
        provider({ dns: wrongValue, propagationTimeoutMs: 300 }).issue({
          schoolId: SCHOOL_B,
          domain: 'oakridge.scs.test',
        }),
      );
      expect(error.permanent).toBe(false);
      expect(error.message).toMatch(/_acme-challenge\.oakridge\.scs\.test was not visible/);
      expect(await powerdns.dig('_acme-challenge.oakridge.scs.test', 'TXT')).toEqual([]);
    });

    it('renews: a new certificate from Pebble replaces the old one, which is retired but not revoked', async () => {
      const school = '33333333-3333-4333-8333-333333333333';
      const before = await provider().issue({ schoolId: school, domain: 'maple.scs.test' });
      const renewed = await provider().renew({
        schoolId: school,
        domain: 'maple.scs.test',
        serialNumber: before.serialNumber,
      });
      expect(renewed.serialNumber).not.toBe(before.serialNumber);
      expect(
        await provider().renew({ schoolId: school, domain: 'maple.scs.test', serialNumber: before.serialNumber }),
      ).toEqual(renewed);
      const { rows } = await pool.query(
        'SELECT serial_number, revoked_at FROM acme_certificates WHERE school_id = $1 ORDER BY issued_at',
        [school],
      );
      expect(
        rows.map((r: { serial_number: string; revoked_at: Date | null }) => [r.serial_number, r.revoked_at === null]),
      ).toEqual([
        [before.serialNumber, false],
        [renewed.serialNumber, true],
      ]);
      expect(await pebbleStatus(before.serialNumber)).toBe('Valid');
    });

    it('treats an unreachable ACME server as transient', async () => {
      const error = await rejection(
        provider({ directoryUrl: `https://127.0.0.1:${await freePort()}/dir` }).issue({
          schoolId: SCHOOL_B,
          domain: 'oakridge.scs.test',
        }),
      );
      expect(error.permanent).toBe(false);
    });

    it('reads the account key sealed with an older credentials key and seals it again with the active one', async () => {
      const active = randomBytes(32);
      const school = '44444444-4444-4444-8444-444444444444';
      const issued = await provider({ encryptionKey: active, decryptionKeys: [encryptionKey] }).issue({
        schoolId: school,
        domain: 'birch.scs.test',
      });
      expect(issued.domain).toBe('birch.scs.test');
      const sql = 'SELECT account_key_enc FROM acme_accounts WHERE directory_url = $1';
      const { rows } = await pool.query(sql, [pebble.directoryUrl]);
      expect(rows).toHaveLength(1);
      expect(() => unseal(encryptionKey, rows[0].account_key_enc)).toThrow();
      expect(createPrivateKey(unseal(active, rows[0].account_key_enc))).toBeDefined();
      // With the older key retired, the account still loads.
      const revoked = await provider({ encryptionKey: active }).revoke({ schoolId: school, domain: 'birch.scs.test' });
      expect(revoked.revoked).toBe(true);
    });
  },
);
