import { StepError } from '../../ports/step-error.js';
import { defineStep } from './step-module.js';

/**
 * The school's certificate where TLS is terminated (CERT_DELIVERY); withdrawn on undo, before the
 * certificate is revoked. The renewer delivers it again after each renewal (school/renewal).
 */
export const deliverCertificate = defineStep({
  name: 'deliver_certificate',
  needs: ['delivery'],
  run: async ({ ports, state, run }) => {
    const certificate = state.resources.certificate;
    if (!certificate) throw StepError.permanent('deliver_certificate needs the certificate issue_certificate recorded');
    const { serialNumber, reference } = certificate;
    const domain = state.subdomain;
    const { location, changed } = await ports.delivery.deliver({ schoolId: state.id, domain, serialNumber, reference });
    const delivery = ports.delivery.name;
    const data = { ...run(), delivery, domain, serialNumber, ...(location ? { location } : {}), changed };
    return { type: 'CertificateDelivered', data };
  },
  undo: async ({ ports, state, run }) => {
    const domain = state.subdomain;
    const reference = state.resources.certificate?.reference;
    const { location, existed, owned } = await ports.delivery.withdraw({ schoolId: state.id, domain, reference });
    const data = { ...run(), delivery: ports.delivery.name, domain, ...(location ? { location } : {}), existed, owned };
    return { type: 'CertificateWithdrawn', data };
  },
});
