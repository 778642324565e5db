import type { TenantServerState } from '../domain/school/placement.js';
import type { TenantDatabases } from './tenant-databases.port.js';

/** A tenant server as operators see it: `servers list`, `/ready`. Never its URL (it may hold a password). */
export interface TenantServerStatus {
  name: string;
  state: TenantServerState;
  capacity?: number;
  /** Schools placed there and not yet dropped. */
  schools: number;
  reachable: boolean;
  /** Template clones ready there for the next schools (SCS_SPARE_DATABASES); absent when not reachable. */
  spares?: number;
  error?: string;
}

/**
 * The PostgreSQL servers school databases live on (SCS_TENANT_SERVERS) and where each school is. The
 * placement is kept in the central database from the moment it is chosen, so a `create_database`
 * re-run after a crash finds the same server; the events (`DatabaseCreated.server`) are its record.
 */
export interface TenantServers {
  /** The configured servers' names, in configuration order. */
  readonly names: readonly string[];
  /** The school databases on one server; a permanent StepError for a name not configured. */
  on(server: string): TenantDatabases;
  /**
   * The school's server: the one chosen before for it, or now the open, reachable server with the most
   * room (chosen under a lock, so concurrent placements see each other). A transient StepError when no
   * server can take it.
   */
  place(schoolId: string): Promise<string>;
  /** The server chosen for a school, if any (a `create_database` whose event was never recorded). */
  placementOf(schoolId: string): Promise<string | undefined>;
  /** Forgets a school's placement once its database is dropped. */
  release(schoolId: string): Promise<void>;
  /** Records that a school now lives on `server` (a move, once its new database is in place). */
  movePlacement(schoolId: string, server: string): Promise<void>;
  /** Every configured server with its state, placed schools and whether it answers now. */
  status(): Promise<TenantServerStatus[]>;
  /** `servers drain|open|close`; capacity `null` removes the limit, undefined keeps it. */
  setState(server: string, state: TenantServerState, capacity?: number | null): Promise<void>;
  /**
   * Copies a school database's rows (every table but schema_migrations, and the sequences) from its
   * database on `from` into the one of the same name on `to`, which must exist at the same schema (made
   * by `create`). The source first refuses new sessions and its open ones are ended (the school is down
   * from here: no write may be lost); it stays so, for the drop. `allowConnections(true)` undoes that on
   * a failed move. The target's tables are emptied first, so a re-run after a crash starts over.
   */
  copyDatabase(databaseName: string, from: string, to: string): Promise<{ tables: number; rows: number }>;
  /** Where clients reach a server's databases (its configured host and port; never its login). */
  endpoint(server: string): { host: string; port: number };
  /** Whether a server is the central database's own server (a role there can change with a registry row). */
  sharesCentral(server: string): boolean;
  /** The latest school schema version shipped (the same on every server). */
  currentSchemaVersion(): string;
  /** Brings every server's template to the current schema version; a server that is down is reported. */
  ensureTemplates(): Promise<void>;
}

export const TENANT_SERVERS = Symbol('TenantServers');
