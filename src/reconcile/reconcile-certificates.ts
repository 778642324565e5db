import type { CertificateProvider } from '../ports/certificates.port.js';
import type { Sweep } from './findings.js';

type Listed = Awaited<ReturnType<CertificateProvider['listActive']>>;

/**
 * The provider's live certificates against the schools: one issued for this instance that its school no
 * longer accounts for is an orphan (revoked by `--fix`); one for another instance, or untagged, is foreign.
 * The shared `*.<zone>` certificate accounts for every school under its zone and is never removed.
 */
export function compareCertificates(sweep: Sweep, certificates: CertificateProvider, owner: string, listed: Listed) {
  for (const cert of listed) {
    if (cert.shared) continue;
    if (cert.owner !== undefined && cert.owner !== owner) {
      const detail = cert.owner
        ? `issued for the SCS instance "${cert.owner}", not this one ("${owner}"): left alone`
        : 'carries no SCS owner tag (issued before ownership, or not by SCS): left alone';
      const name = `${cert.domain} #${cert.serialNumber}`;
      sweep.findings.push({ kind: 'foreign', resource: 'certificate', name, detail });
      continue;
    }
    sweep.consider(
      'certificate',
      `${cert.domain} #${cert.serialNumber}`,
      cert.schoolId,
      !!sweep.schools.get(cert.schoolId)?.resources.certificate,
      () => certificates.revoke({ schoolId: cert.schoolId, domain: cert.domain }),
    );
  }
}
