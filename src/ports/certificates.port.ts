export interface IssuedCertificate {
  /** The provider's reference: a local serial, an ACM ARN, an ACME order URL. */
  reference: string;
  serialNumber: string;
  domain: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/** A certificate as a TLS terminator loads it: the PEM chain (leaf first) and its private key. */
export interface CertificatePem {
  serialNumber: string;
  fullchainPem: string;
  privateKeyPem: string;
}

export interface CertificateProvider {
  readonly name: string;
  /**
   * Issues a certificate for `domain`. Idempotent per school: when a valid, unrevoked certificate
   * for this school and domain exists, it is returned instead of a new one.
   */
  issue(request: { schoolId: string; domain: string }): Promise<IssuedCertificate>;
  /**
   * Replaces the school's certificate `serialNumber` with a new one and retires the old (superseded,
   * not revoked: the TLS terminator may still serve it until it loads the new one). Idempotent: when the
   * live certificate is no longer `serialNumber`, a repeated call returns it instead of a third.
   */
  renew(request: { schoolId: string; domain: string; serialNumber: string }): Promise<IssuedCertificate>;
  /** Revokes (or deletes) the school's certificate; one already revoked or absent is success. */
  revoke(request: {
    schoolId: string;
    domain: string;
    reference?: string;
  }): Promise<{ revoked: boolean; reference?: string }>;
  /**
   * The school's live certificate with its chain and private key (for CERT_DELIVERY=files); undefined when
   * it has none. A provider that cannot export keys (ACM) throws a permanent error.
   */
  pemOf(request: { schoolId: string; domain: string }): Promise<CertificatePem | undefined>;
  /**
   * Unrevoked certificates the provider holds for schools (for the reconciler). `owner`: the SCS instance
   * a certificate is marked with where the provider is shared (ACM: '' when unmarked); absent where the
   * provider is this instance's own (certificates kept in its central database). `shared`: the one `*.<zone>`
   * certificate every school under the zone is served with (CERT_WILDCARD), listed so that those schools'
   * certificates are accounted for; it belongs to no school and the reconciler never removes it.
   */
  listActive(): Promise<
    Array<{ schoolId: string; domain: string; serialNumber: string; owner?: string; shared?: boolean }>
  >;
}

export const CERTIFICATE_PROVIDER = Symbol('CertificateProvider');
