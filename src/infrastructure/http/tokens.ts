export const READINESS = Symbol('Readiness');

/** Checks the dependencies GET /ready reports on. */
export interface Readiness {
  check(): Promise<Record<string, { ok: boolean; error?: string }>>;
}
