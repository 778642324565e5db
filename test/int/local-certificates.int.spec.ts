import 'reflect-metadata'; // before @peculiar/x509, whose tsyringe needs the Reflect polyfill
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import pg from 'pg';
import { LocalCertificateAuthority } from '../../src/adapters/certificates/local/local-ca.js';
import { LocalCertificateProvider } from '../../src/adapters/certificates/local/local-certificates.js';
import { migrationsDir } from '../../src/adapters/postgres/sql-migrations.js';
import { freshDatabase } from '../support/databases.js';

const DAY_MS = 24 * 3600 * 1000;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let pool: pg.Pool;
let root: string;
let caDir: string;
let ca: LocalCertificateAuthority;
let certificates: LocalCertificateProvider;

async function leafOf(serialNumber: string): Promise<X509Certificate> {
  const pem = await certificates.certificatePem(serialNumber);
  expect(pem).toBeDefined();
  return new X509Certificate(pem!);
}

async function rowsFor(
  schoolId: string,
): Promise<Array<{ serial_number: string; revoked_at: Date | null; revocation_reason: string | null }>> {
  const rows = await pool.query(
    'SELECT serial_number, revoked_at, revocation_reason FROM local_certificates WHERE school_id = $1 ORDER BY issued_at',
    [schoolId],
  );
  return rows.rows;
}

beforeAll(async () => {
  db = await freshDatabase('scs_local_certs');
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  // Dropping the database WITH (FORCE) can reach a client pool.end() is still closing; that is not a failure.
  pool.on('error', () => undefined);
  await pool.query(readFileSync(join(migrationsDir('central'), '0003_local_providers.sql'), 'utf8'));
  root = mkdtempSync(join(tmpdir(), 'scs-ca-'));
  caDir = join(root, 'data', 'ca');
  ca = await LocalCertificateAuthority.loadOrCreate(caDir);
  certificates = new LocalCertificateProvider({ pool, ca });
});

afterAll(async () => {
  await pool.end();
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('LocalCertificateAuthority', () => {
  it('creates a self-signed ECDSA P-256 root with CA constraints, keeping the key owner-only', () => {
    expect(statSync(join(caDir, 'ca.key.pem')).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(readFileSync(join(caDir, 'ca.cert.pem')));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=SCS Local CA');
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * DAY_MS);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(ca.keyIdentifier).toMatch(/^[0-9a-f]{40}$/);
    expect(readdirSync(caDir).sort()).toEqual(['ca.cert.pem', 'ca.key.pem']);
  });

  it('reloads the same CA on the next start', async () => {
    const again = await LocalCertificateAuthority.loadOrCreate(caDir);
    expect(new X509Certificate(again.certificatePem).fingerprint256).toBe(
      new X509Certificate(ca.certificatePem).fingerprint256,
    );
  });

  it('ends with one CA when several processes start at once, and completes a key left without a certificate', async () => {
    const dir = join(root, 'race');
    const cas = await Promise.all(Array.from({ length: 6 }, () => LocalCertificateAuthority.loadOrCreate(dir)));
    expect(new Set(cas.map((c) => new X509Certificate(c.certificatePem).fingerprint256)).size).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['ca.cert.pem', 'ca.key.pem']);

    rmSync(join(dir, 'ca.cert.pem'));
    const completed = await LocalCertificateAuthority.loadOrCreate(dir);
    const pub = (c: LocalCertificateAuthority) =>
      new X509Certificate(c.certificatePem).publicKey.export({ format: 'der', type: 'spki' }).toString('hex');
    expect(pub(completed)).toBe(pub(cas[0]));
  });
});

describe('LocalCertificateProvider', () => {
  it('issues a server certificate for the domain, signed by the CA', async () => {
    const schoolId = randomUUID();
    const issued = await certificates.issue({ schoolId, domain: 'greenwood.syncad.in' });
    expect(issued).toEqual({
      reference: `local:${issued.serialNumber}`,
      serialNumber: expect.stringMatching(/^[0-7][0-9a-f]{31}$/),
      domain: 'greenwood.syncad.in',
      issuer: ca.subject,
      notBefore: expect.any(String),
      notAfter: expect.any(String),
    });
    const leaf = await leafOf(issued.serialNumber);
    const caCert = new X509Certificate(ca.certificatePem);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName).toBe('DNS:greenwood.syncad.in');
    expect(leaf.checkHost('greenwood.syncad.in')).toBe('greenwood.syncad.in');
    expect(leaf.checkHost('other.syncad.in')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(leaf.serialNumber.toLowerCase()).toBe(issued.serialNumber);
    expect(leaf.issuer).toBe(caCert.subject);
    expect(new Date(leaf.validFrom).toISOString()).toBe(issued.notBefore);
    expect(new Date(leaf.validTo).toISOString()).toBe(issued.notAfter);
    expect((Date.parse(issued.notAfter) - Date.parse(issued.notBefore)) / DAY_MS).toBe(90);
    expect(Date.parse(issued.notBefore)).toBeLessThanOrEqual(Date.now());
    const row = await pool.query('SELECT private_key_pem FROM local_certificates WHERE serial_number = $1', [
      issued.serialNumber,
    ]);
    expect(row.rows[0].private_key_pem).toContain('BEGIN PRIVATE KEY');
    expect(leaf.checkPrivateKey(createPrivateKey(row.rows[0].private_key_pem))).toBe(true);
  });

  it('carries authority and subject key identifiers that chain to the CA', async () => {
    const issued = await certificates.issue({ schoolId: randomUUID(), domain: 'aki.syncad.in' });
    const leaf = new x509.X509Certificate((await certificates.certificatePem(issued.serialNumber))!);
    const aki = leaf.getExtension(x509.AuthorityKeyIdentifierExtension);
    const ski = leaf.getExtension(x509.SubjectKeyIdentifierExtension);
    expect(aki?.keyId).toBe(ca.keyIdentifier);
    expect(ski?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(ski?.keyId).not.toBe(ca.keyIdentifier);
    const caUsage = ca.certificate.getExtension(x509.KeyUsagesExtension);
    expect(caUsage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ca.certificate.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  });

  it('writes a leaf that OpenSSL verifies against the CA, with the profile of a server certificate', async () => {
    const issued = await certificates.issue({ schoolId: randomUUID(), domain: 'profile.syncad.in' });
    const pem = (await certificates.certificatePem(issued.serialNumber))!;
    const leafFile = join(root, 'profile.pem');
    writeFileSync(leafFile, pem);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(caDir, 'ca.cert.pem'), '-purpose', 'sslserver', '-x509_strict', leafFile],
      { encoding: 'utf8' },
    );
    expect(verified.trim()).toBe(`${leafFile}: OK`);
    const leaf = new x509.X509Certificate(pem);
    expect(leaf.subject).toBe('CN=profile.syncad.in');
    expect(leaf.signatureAlgorithm).toEqual(expect.objectContaining({ name: 'ECDSA', hash: { name: 'SHA-256' } }));
    const constraints = leaf.getExtension(x509.BasicConstraintsExtension);
    expect([constraints?.ca, constraints?.critical]).toEqual([false, true]);
    const usage = leaf.getExtension(x509.KeyUsagesExtension);
    expect([usage?.usages, usage?.critical]).toEqual([x509.KeyUsageFlags.digitalSignature, true]);
    const ski = leaf.getExtension(x509.SubjectKeyIdentifierExtension);
    expect(ski?.keyId).toBe(Buffer.from(await leaf.publicKey.getKeyIdentifier()).toString('hex'));
    expect(leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON()).toEqual([
      { type: 'dns', value: 'profile.syncad.in' },
    ]);
  });

  it('writes a notAfter from 2050 on as GeneralizedTime, as RFC 5280 asks', async () => {
    const long = new LocalCertificateProvider({ pool, ca, validityDays: 10_000 });
    const issued = await long.issue({ schoolId: randomUUID(), domain: 'long.syncad.in' });
    const leaf = await leafOf(issued.serialNumber);
    expect(new Date(leaf.validTo).toISOString()).toBe(issued.notAfter);
    expect(new Date(issued.notAfter).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
    const text = execFileSync('openssl', ['asn1parse'], {
      input: (await certificates.certificatePem(issued.serialNumber))!,
    });
    expect(text.toString()).toMatch(/UTCTIME[^\n]*\n[^\n]*GENERALIZEDTIME/);
  });

  it('is idempotent per school and domain', async () => {
    const schoolId = randomUUID();
    const first = await certificates.issue({ schoolId, domain: 'oak.syncad.in' });
    const again = await certificates.issue({ schoolId, domain: 'OAK.syncad.in.' });
    expect(again).toEqual(first);
    expect(await rowsFor(schoolId)).toHaveLength(1);
  });

  it('stores one certificate when the same school is issued concurrently', async () => {
    const schoolId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => certificates.issue({ schoolId, domain: 'race.syncad.in' })),
    );
    expect(new Set(results.map((r) => r.serialNumber)).size).toBe(1);
    expect(await rowsFor(schoolId)).toEqual([
      expect.objectContaining({ serial_number: results[0].serialNumber, revoked_at: null }),
    ]);
  });

  it('revokes the live certificate; issuing afterwards gives a new serial', async () => {
    const schoolId = randomUUID();
    const first = await certificates.issue({ schoolId, domain: 'maple.syncad.in' });
    expect(await certificates.revoke({ schoolId, domain: 'maple.syncad.in' })).toEqual({
      revoked: true,
      reference: first.reference,
    });
    expect(await certificates.revoke({ schoolId, domain: 'maple.syncad.in' })).toEqual({ revoked: false });
    const rows = await rowsFor(schoolId);
    expect(rows[0]).toEqual(
      expect.objectContaining({ serial_number: first.serialNumber, revocation_reason: 'cessationOfOperation' }),
    );
    expect(rows[0].revoked_at).toBeInstanceOf(Date);
    expect((await certificates.listActive()).some((c) => c.serialNumber === first.serialNumber)).toBe(false);

    const second = await certificates.issue({ schoolId, domain: 'maple.syncad.in' });
    expect(second.serialNumber).not.toBe(first.serialNumber);
    // the revoked PEM is kept
    expect((await leafOf(first.serialNumber)).serialNumber.toLowerCase()).toBe(first.serialNumber);
    expect(await certificates.listActive()).toContainEqual({
      schoolId,
      domain: 'maple.syncad.in',
      serialNumber: second.serialNumber,
    });
  });

  it('answers revoked false for a school that has no certificate', async () => {
    expect(await certificates.revoke({ schoolId: randomUUID(), domain: 'nothing.syncad.in' })).toEqual({
      revoked: false,
    });
  });

  it('replaces an expired certificate instead of returning it', async () => {
    const schoolId = randomUUID();
    const old = await certificates.issue({ schoolId, domain: 'elm.syncad.in' });
    await pool.query(`UPDATE local_certificates SET not_after = now() - interval '1 day' WHERE serial_number = $1`, [
      old.serialNumber,
    ]);
    const fresh = await certificates.issue({ schoolId, domain: 'elm.syncad.in' });
    expect(fresh.serialNumber).not.toBe(old.serialNumber);
    expect((await rowsFor(schoolId)).map((r) => r.revocation_reason)).toEqual(['superseded', null]);
  });

  it('honours validityDays and refuses a domain that is not a host name', async () => {
    const short = new LocalCertificateProvider({ pool, ca, validityDays: 7 });
    const issued = await short.issue({ schoolId: randomUUID(), domain: 'short.syncad.in' });
    const leaf = await leafOf(issued.serialNumber);
    expect((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS).toBe(7);
    await expect(short.issue({ schoolId: randomUUID(), domain: 'CN=evil, O=x' })).rejects.toEqual(
      expect.objectContaining({ permanent: true }),
    );
  });
});
