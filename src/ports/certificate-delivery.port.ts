/** The school certificate to put where TLS is terminated. */
export interface CertificateToDeliver {
  schoolId: string;
  /** The school's host name: the certificate's name, and the folder (or SNI name) it is served under. */
  domain: string;
  serialNumber: string;
  /** The certificate provider's reference (an ACM ARN for `alb`). */
  reference: string;
  /** The reference delivered before, when the certificate was renewed: taken away once the new one is in. */
  previousReference?: string;
}

export interface Delivered {
  /** Where it is now (a folder, a listener ARN); absent with `none`. */
  location?: string;
  /** False when it was already there, as it is: nothing changed. */
  changed: boolean;
}

export interface Withdrawn {
  location?: string;
  /** False when nothing was there. */
  existed: boolean;
  /** False when what is there is not this SCS instance's for this school: it was left as it is. */
  owned: boolean;
}

/** A certificate delivered by this SCS instance (or another) that the reconciler compares with the events. */
export interface DeliveredCertificate {
  /** What the reconciler names it by (a folder, `listener cert-arn`). */
  name: string;
  domain?: string;
  /** The provider's reference where the delivery names one (the ACM ARN an `alb` listener holds). */
  reference?: string;
  /** The school it was delivered for, as its ownership mark says (SHARED_DELIVERY: every school); absent: unmarked. */
  schoolId?: string;
  /** The SCS instance the mark names ('' when unmarked: not SCS's, never touched). */
  owner: string;
}

/**
 * CERT_DELIVERY: puts a school's certificate where TLS is terminated (`files`: PEM files a terminator
 * reads; `alb`: an ACM certificate attached to a load balancer listener; `none`: nowhere). Every call is
 * idempotent, and everything it puts somewhere carries its owner, so that teardown and the reconciler touch
 * only this instance's.
 */
export interface CertificateDelivery {
  readonly name: 'none' | 'files' | 'alb';
  /** The SCS instance whose deliveries this adapter makes (`SCS_OWNER_ID`). */
  readonly owner: string;
  deliver(certificate: CertificateToDeliver): Promise<Delivered>;
  /** Takes the school's delivered certificate away; one already gone is success (`existed: false`). */
  withdraw(request: { schoolId: string; domain: string; reference?: string }): Promise<Withdrawn>;
  /** Everything delivered where this adapter delivers (for the reconciler), owned by anyone or nobody. */
  listDelivered(): Promise<DeliveredCertificate[]>;
  /** Finishes pending work (a reload command waiting for its batch) before the process stops. */
  close?(): Promise<void>;
}

export const CERTIFICATE_DELIVERY = Symbol('CertificateDelivery');

/**
 * The school a delivery is marked for when every school shares it (CERT_WILDCARD's one certificate,
 * delivered once): `withdraw` with it removes the shared delivery itself (the reconciler, once no school
 * uses it).
 */
export const SHARED_DELIVERY = 'shared';

/** `none`: certificates stay with their provider (the default; the terminator gets them some other way). */
export class NoCertificateDelivery implements CertificateDelivery {
  readonly name = 'none';
  constructor(readonly owner: string) {}
  async deliver(): Promise<Delivered> {
    return { changed: false };
  }
  async withdraw(): Promise<Withdrawn> {
    return { existed: false, owned: true };
  }
  async listDelivered(): Promise<DeliveredCertificate[]> {
    return [];
  }
}
