import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect polyfill
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { systemClock, type Clock } from '../../../ports/clock.port.js';

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const CA_SUBJECT = 'CN=SCS Local CA, O=Syncad';
const CA_YEARS = 10;

/** A random positive 16-byte serial as lowercase hex; the first byte is kept in 0x01..0x7f so DER stores it as-is. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f || 0x01;
  return bytes.toString('hex');
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Imports a PKCS#8 P-256 key and derives its public half (WebCrypto has no direct way; JWK carries x and y). */
async function importKeyPair(pem: string): Promise<CryptoKeyPair> {
  const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), EC_ALGORITHM, true, [
    'sign',
  ]);
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', privateKey);
  const publicKey = await webcrypto.subtle.importKey('jwk', { kty, crv, x, y }, EC_ALGORITHM, true, ['verify']);
  return { privateKey, publicKey };
}

/**
 * Places `content` at `file` only if nothing is there yet: a complete temp file is hard-linked, which fails on
 * EEXIST.
 */
function createExclusively(file: string, content: string, mode: number): void {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode); // the umask may have narrowed or (rarely) the mode been ignored
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * The `local` certificate authority: a self-signed ECDSA P-256 root that SCS creates on first start and
 * keeps in a folder (`ca.key.pem`, owner-only, and `ca.cert.pem`).
 *
 * The key is created first and is what processes race for; whoever loses reads the winner's key. The
 * certificate is then made from that key, and again the first link wins. So two processes starting at
 * once end with one CA, and a crash between the two files leaves a key that the next start completes.
 */
export class LocalCertificateAuthority {
  private issuerDer?: Uint8Array;
  private keyObject?: KeyObject;

  private constructor(
    readonly certificate: x509.X509Certificate,
    readonly privateKey: CryptoKey,
    readonly certificatePem: string,
  ) {}

  get subject(): string {
    return this.certificate.subject;
  }

  /** The CA's subject Name as DER, as leaves carry it for their issuer. */
  get issuerName(): Uint8Array {
    this.issuerDer ??= new Uint8Array(this.certificate.subjectName.toArrayBuffer());
    return this.issuerDer;
  }

  /** The CA's private key as Node's KeyObject, for `crypto.sign`. */
  get signingKey(): KeyObject {
    this.keyObject ??= KeyObject.from(this.privateKey);
    return this.keyObject;
  }

  /** The CA's subject key identifier (hex), which leaves carry as their authority key identifier. */
  get keyIdentifier(): string | undefined {
    return this.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  }

  /** `clock`: dates a CA certificate made now (the system clock unless given). */
  static async loadOrCreate(dir: string, clock: Clock = systemClock): Promise<LocalCertificateAuthority> {
    const keyFile = join(dir, 'ca.key.pem');
    const certFile = join(dir, 'ca.cert.pem');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(keyFile)) {
      createExclusively(keyFile, await exportPrivateKeyPem((await generateKeyPair()).privateKey), 0o600);
    }
    const keys = await importKeyPair(readFileSync(keyFile, 'utf8'));
    if (!existsSync(certFile)) {
      createExclusively(certFile, (await selfSigned(keys, clock)).toString('pem'), 0o644);
    }
    const certificatePem = readFileSync(certFile, 'utf8');
    const certificate = new x509.X509Certificate(certificatePem);
    const certKeyId = await certificate.publicKey.getKeyIdentifier();
    const ownKeyId = await (await x509.PublicKey.create(keys.publicKey as never)).getKeyIdentifier();
    if (Buffer.compare(Buffer.from(certKeyId), Buffer.from(ownKeyId)) !== 0) {
      throw new Error(
        `${certFile} does not belong to ${keyFile}: restore the matching pair or remove both to create a new CA`,
      );
    }
    return new LocalCertificateAuthority(certificate, keys.privateKey, certificatePem);
  }
}

async function selfSigned(keys: CryptoKeyPair, clock: Clock): Promise<x509.X509Certificate> {
  // Back-dated a minute so a machine whose clock is slightly behind still accepts it.
  const notBefore = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: CA_SUBJECT,
    notBefore,
    notAfter,
    signingAlgorithm: EC_ALGORITHM,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
}
