import type { SchoolState } from '../domain/school/state.js';
import { TERMINAL_STATUSES } from '../domain/school/state.js';
import {
  SHARED_DELIVERY,
  type CertificateDelivery,
  type DeliveredCertificate,
} from '../ports/certificate-delivery.port.js';
import type { CredentialsDelivery, DeliveredCredentials } from '../ports/credentials-delivery.port.js';
import type { Consider, Finding } from './findings.js';

/**
 * Delivered certificates (CERT_DELIVERY) against the events: one this instance marked for a school that
 * no longer accounts for it is an orphan (withdrawn by `--fix`), the shared one (CERT_WILDCARD) once no
 * school has it; one unmarked or marked by another instance is foreign; a settled school whose delivered
 * certificate is not there is drift.
 */
export function compareDeliveries(
  delivery: CertificateDelivery,
  deliveries: DeliveredCertificate[],
  schools: Map<string, SchoolState>,
  consider: Consider,
  findings: Finding[],
): void {
  for (const delivered of deliveries) {
    const schoolId = delivered.schoolId;
    if (delivered.owner !== delivery.owner || !schoolId) {
      const detail = delivered.owner
        ? `delivered by the SCS instance "${delivered.owner}", not this one ("${delivery.owner}"): left alone`
        : 'carries no SCS mark (not delivered by SCS): left alone';
      findings.push({ kind: 'foreign', resource: 'delivery', name: delivered.name, detail });
      continue;
    }
    if (schoolId === SHARED_DELIVERY) {
      const used = [...schools.values()].some((s) => s.resources.delivered?.location === delivered.name);
      const withdraw = () => delivery.withdraw({ schoolId, domain: delivered.domain ?? '' });
      consider('delivery', delivered.name, undefined, used, withdraw);
      continue;
    }
    const school = schools.get(schoolId);
    const domain = delivered.domain ?? school?.subdomain ?? '';
    const withdraw = () => delivery.withdraw({ schoolId, domain, reference: delivered.reference });
    consider('delivery', delivered.name, schoolId, !!school?.resources.delivered, withdraw);
  }

  findings.push(...deliveryDrift(delivery, deliveries, schools));
}

/** Settled schools whose events say their certificate was delivered where this instance finds none. */
function deliveryDrift(
  delivery: CertificateDelivery,
  deliveries: DeliveredCertificate[],
  schools: Map<string, SchoolState>,
): Finding[] {
  const ours = deliveries.filter((d) => d.owner === delivery.owner);
  const there = new Set([...ours.map((d) => d.schoolId), ...ours.map((d) => d.name)]);
  const drifted: Finding[] = [];
  for (const school of schools.values()) {
    const delivered = school.resources.delivered;
    if (!TERMINAL_STATUSES.has(school.status) || !delivered || delivered.delivery !== delivery.name) continue;
    if (delivered.delivery === 'none' || there.has(school.id) || there.has(delivered.location)) continue;
    drifted.push({
      kind: 'drift',
      resource: 'delivery',
      name: delivered.location ?? school.subdomain,
      schoolId: school.id,
      detail: `the events say the certificate was delivered (${delivered.delivery}), it is not there`,
    });
  }
  return drifted;
}

/**
 * Delivered credentials (SCS_CREDENTIALS_DELIVERY files or aws-secrets-manager) against the events: ones this
 * instance marked for a school that is not registered are an orphan (withdrawn by `--fix`: a school app must
 * not keep a connection to a database that is gone or will be made again); unmarked or another instance's
 * are foreign; a settled, registered school with none is drift (`secrets rotate` delivers them again).
 */
export function compareCredentials(
  delivery: CredentialsDelivery,
  owner: string,
  delivered: DeliveredCredentials[],
  schools: Map<string, SchoolState>,
  consider: Consider,
  findings: Finding[],
): void {
  const there = new Set<string>();
  for (const found of delivered) {
    if (found.owner !== owner || !found.school) {
      const detail = found.owner
        ? `delivered by the SCS instance "${found.owner}", not this one ("${owner}"): left alone`
        : 'carries no SCS mark (not delivered by SCS): left alone';
      findings.push({ kind: 'foreign', resource: 'credentials', name: found.location, detail });
      continue;
    }
    const school = found.school;
    there.add(school.id);
    const accounted = !!schools.get(school.id)?.resources.registered;
    consider('credentials', found.location, school.id, accounted, () => delivery.withdraw(school));
  }
  if (delivery.name === 'api') return;
  for (const school of schools.values()) {
    if (!TERMINAL_STATUSES.has(school.status) || !school.resources.registered || there.has(school.id)) continue;
    findings.push({
      kind: 'drift',
      resource: 'credentials',
      name: school.details.slug,
      schoolId: school.id,
      detail: `registered, but no credentials delivered (${delivery.name}): \`secrets rotate\` delivers them again`,
    });
  }
}
