import type { TenantServerStatus } from '../../application/ports/tenant-servers.port.js';

export const READINESS = Symbol('Readiness');

/** Checks the dependencies GET /ready reports on. */
export interface Readiness {
  check(): Promise<Record<string, { ok: boolean; error?: string }>>;
  /** The tenant servers, reported beside the checks: one down degrades only its schools, not readiness. */
  servers?(): Promise<TenantServerStatus[]>;
}
