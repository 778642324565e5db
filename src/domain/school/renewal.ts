import { isLive, type SchoolState } from './state.js';

/**
 * When a live school's certificate is due for renewal: at `fraction` of its lifetime (two thirds by
 * default, as Let's Encrypt advises), or at the retry time of a failed renewal. Pure.
 */
export function renewalDueAt(state: SchoolState, fraction = 2 / 3): number | undefined {
  const certificate = state.resources.certificate;
  if (!isLive(state) || !certificate?.notBefore) return undefined;
  const from = Date.parse(certificate.notBefore);
  const to = Date.parse(certificate.notAfter);
  const due = from + fraction * (to - from);
  return state.renewal ? Math.max(due, Date.parse(state.renewal.retryAt)) : due;
}

export function isRenewalDue(state: SchoolState, now: Date, fraction = 2 / 3): boolean {
  const due = renewalDueAt(state, fraction);
  return due !== undefined && now.getTime() >= due;
}

/**
 * Whether a live school's delivered certificate is not its current one: renewed since, or delivered by
 * another CERT_DELIVERY than `delivery` (or never, for a school from before delivery). Pure.
 */
export function isDeliveryBehind(state: SchoolState, delivery: string): boolean {
  const certificate = state.resources.certificate;
  if (state.status !== 'active' || !certificate) return false;
  const delivered = state.resources.delivered;
  return delivered?.serialNumber !== certificate.serialNumber || delivered.delivery !== delivery;
}
