import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * A server certificate of the local CA, written as DER here rather than by @peculiar/x509's generator:
 * the generator builds the certificate through asn1js, serialising every part and parsing it back,
 * 9-10 ms of the main thread's CPU per certificate on this project's 2-core machine (20-25 ms of a
 * sequential school's POST→active under load); this takes about 1 ms, with the key made and the
 * TBS signed by Node's own crypto. It has one shape (RFC 5280, profile below), and the tests read it
 * back with Node's X509Certificate, @peculiar/x509 and `openssl verify`.
 *
 * Profile: v3; serial as given; ecdsa-with-SHA256; issuer = the CA's subject, as encoded in the CA's
 * certificate; subject CN=<domain>; extensions: basicConstraints (critical, not a CA), keyUsage
 * (critical, digitalSignature), extKeyUsage serverAuth, subjectAltName dNSName, authority and subject
 * key identifiers (SHA-1 of the public key's bits, RFC 5280 4.2.1.2 method 1).
 */
export interface LeafRequest {
  domain: string;
  /** Hex, positive as DER reads it (first byte 0x01..0x7f). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** The CA's subject Name, DER-encoded as in its certificate. */
  issuer: Uint8Array;
  /** The CA's subject key identifier, hex. */
  authorityKeyId: string;
  caKey: KeyObject;
}

export interface Leaf {
  certificatePem: string;
  privateKeyPem: string;
}

/** One DER element: tag, length (short or long form), contents. */
function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  if (n > 0xffff) throw new Error('DER element too long for a certificate');
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const sequence = (...contents: Uint8Array[]) => tlv(0x30, ...contents);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5); whole seconds, Z. */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z';
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}

function extension(id: string, critical: boolean, value: Uint8Array): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

export function issueLeaf(request: LeafRequest): Leaf {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The subjectPublicKey BIT STRING's bits: the uncompressed point, the SPKI's last 65 bytes for P-256.
  const keyId = createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
  const domain = Buffer.from(request.domain, 'ascii');
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // [0] version v3
    tlv(0x02, Buffer.from(request.serialNumber, 'hex')),
    ECDSA_WITH_SHA256,
    request.issuer,
    sequence(time(request.notBefore), time(request.notAfter)),
    sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, domain)))), // CN, UTF8String
    spki,
    tlv(
      0xa3, // [3] extensions
      sequence(
        extension('2.5.29.19', true, sequence()), // basicConstraints: cA FALSE (the default, omitted)
        extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x07, 0x80]))), // keyUsage: digitalSignature
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
        extension('2.5.29.17', false, sequence(tlv(0x82, domain))), // subjectAltName: dNSName
        extension('2.5.29.35', false, sequence(tlv(0x80, Buffer.from(request.authorityKeyId, 'hex')))),
        extension('2.5.29.14', false, tlv(0x04, keyId)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: request.caKey, dsaEncoding: 'der' });
  const der = sequence(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
