export const READINESS = Symbol('Readiness');

/** Checks the dependencies GET /ready reports on. */
export interface Readiness {
  check(): Promise<Record<string, { ok: boolean; error?: string }>>;
}

/** What the reporting, projection and audit routes read: the central database and the event store. */
export const REPORTING = Symbol('Reporting');
export interface Reporting {
  dataSource: import('typeorm').DataSource;
  store: import('../../application/ports/event-store.port.js').EventStore;
  stuckAfterSeconds: number;
}
