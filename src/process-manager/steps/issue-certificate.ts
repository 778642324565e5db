import { defineStep } from './step-module.js';

/** A TLS certificate for the school's subdomain; revoked on undo (cert-manager never does). */
export const issueCertificate = defineStep({
  name: 'issue_certificate',
  needs: ['certificates'],
  run: async ({ ports, state, run }) => {
    const cert = await ports.certificates.issue({ schoolId: state.id, domain: state.subdomain });
    const { domain, reference, serialNumber, issuer, notBefore, notAfter } = cert;
    const provider = ports.certificates.name;
    const data = { ...run(), provider, domain, reference, serialNumber, issuer, notBefore, notAfter };
    return { type: 'CertificateIssued', data };
  },
  undo: async ({ ports, state, run }) => {
    const reference = state.resources.certificate?.reference;
    const result = await ports.certificates.revoke({ schoolId: state.id, domain: state.subdomain, reference });
    const data = { ...run(), provider: ports.certificates.name, reference: result.reference, revoked: result.revoked };
    return { type: 'CertificateRevoked', data };
  },
});
