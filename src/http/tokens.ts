import type { TenantServerStatus } from '../ports/tenant-servers.port.js';

export const READINESS = Symbol('Readiness');

/** Checks the dependencies GET /ready reports on. */
export interface Readiness {
  check(): Promise<Record<string, { ok: boolean; error?: string }>>;
  /** The tenant servers, reported beside the checks: one down degrades only its schools, not readiness. */
  servers?(): Promise<TenantServerStatus[]>;
}

/** What the reporting, projection and audit routes read: the central database and the event store. */
export const REPORTING = Symbol('Reporting');
export interface Reporting {
  readSide: import('../projections/queryable.js').ReadPool;
  store: import('../ports/event-store.port.js').EventStore;
  stuckAfterSeconds: number;
}
