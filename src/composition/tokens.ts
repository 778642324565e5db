import type pg from 'pg';
import type { EmbeddedServer } from '../adapters/postgres/embedded-postgres.js';

/** The validated configuration (config/config.ts). */
export const CONFIG = Symbol('Config');
/** The process's logger (ports/logger.port.ts). */
export const APP_LOGGER = Symbol('AppLogger');
/** The central database: its URL, the shared pool, and the embedded server when SCS runs its own. */
export const CENTRAL_DATABASE = Symbol('CentralDatabase');

/**
 * The central database's read side (a plain pg.Pool): the projections, the reports and the read model's
 * queries, on sessions named `scs-no-appends` (they never append events).
 */
export const READ_SIDE = Symbol('ReadSide');

export interface CentralDatabase {
  url: string;
  pool: pg.Pool;
  /** Set when SCS started PostgreSQL itself (no DATABASE_URL): it is stopped last. */
  embedded?: EmbeddedServer;
}
