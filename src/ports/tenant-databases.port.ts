import { StepError } from './step-error.js';

/**
 * School (tenant) databases on one PostgreSQL server (one of the tenant servers, see tenant-servers.port). Every
 * operation is idempotent, because the process manager runs a step again after a crash.
 */
export interface CreatedDatabase {
  databaseName: string;
  /**
   * `template`: cloned from the migrated template; `spare`: a clone of it made ahead of time, renamed;
   * `empty`: created empty (migrations run next).
   */
  method: 'template' | 'spare' | 'empty';
  /** True when the database was already there (a step re-run after a crash). */
  alreadyExisted: boolean;
  durationMs: number;
}

export interface MigratedDatabase {
  databaseName: string;
  /**
   * The school schema version the database is at: how many of the drizzle-kit journal's migrations it has
   * applied, four digits (`0004`: the journal's first four; SQL file N of the schema before Drizzle is N).
   */
  schemaVersion: string;
  /** Migrations (journal tags) applied by this call (empty when the clone was already current). */
  applied: string[];
  /** Every migration recorded in the database afterwards, in journal order (tags: `0000_name`, …). */
  recorded?: string[];
  /**
   * Migrations a database made before Drizzle had applied (its `schema_migrations` table), recorded by this
   * call in `drizzle.__drizzle_migrations` without running them. Absent when there was nothing to record.
   */
  adopted?: string[];
  tableCount: number;
  durationMs: number;
}

/** Where a school database's schema stands against the shipped school migrations. Read only. */
export interface SchemaStatus {
  databaseName: string;
  /** The version the database is at (`0000` when none). */
  version: string;
  /** Shipped migrations the database has not applied, in order (journal tags, `0004_name`). */
  pending: string[];
  /** Applied migrations whose shipped file has changed since (never re-run: refused). */
  mismatched: string[];
  /**
   * Where it records them: Drizzle's table, SCS's `schema_migrations` from before Drizzle (the next migrate
   * records them in Drizzle's table without running them), or nowhere yet.
   */
  format?: 'drizzle' | 'schema_migrations' | 'none';
}

/** Limits for each migration's transaction in a live school database. */
export interface MigrationTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * A migration that failed in a school database: `migration` names its file; those in `applied` ran
 * before it and stay. Permanent when an applied migration's file was changed (re-running cannot help).
 */
export class SchemaMigrationError extends StepError {
  constructor(
    message: string,
    readonly migration: string,
    readonly applied: string[],
    permanent: boolean,
    cause?: unknown,
  ) {
    super(message, permanent, { cause });
    this.name = 'SchemaMigrationError';
  }
}

export interface DroppedDatabase {
  databaseName: string;
  existed: boolean;
  terminatedConnections: number;
}

/** A school database's own login role: `<database>_owner`, and the password it logs in with. */
export interface DatabaseOwner {
  role: string;
  password: string;
}

export interface TenantDatabases {
  /** `empty`: never from the template or a spare (a restore loads its archive into it). */
  create(databaseName: string, options?: { empty?: boolean }): Promise<CreatedDatabase>;
  /**
   * Applies the missing migrations, each in its own transaction; fails with a SchemaMigrationError.
   * With `owner`, then secures the database for it as `secure` does (one call where the step needs both).
   * With `toVersion`, only the migrations up to that version (a restore's archive was made at it): a version
   * this code does not ship is refused (permanent).
   */
  migrate(
    databaseName: string,
    options?: { timeouts?: MigrationTimeouts; owner?: DatabaseOwner; toVersion?: string },
  ): Promise<MigratedDatabase>;
  schemaStatus(databaseName: string): Promise<SchemaStatus>;
  /**
   * Gives the database its own login role as owner (created, or its password reset) and takes
   * CONNECT away from PUBLIC, so no other school's role can reach it. Idempotent.
   */
  secure(databaseName: string, owner: DatabaseOwner): Promise<void>;
  /** Sets the owner role's password if the role exists (`changed: false` when it is gone: a teardown). */
  setOwnerPassword(databaseName: string, owner: DatabaseOwner): Promise<{ changed: boolean }>;
  /**
   * `false`: the owner role (`<database>_owner`) may no longer log in (NOLOGIN), and its open sessions
   * are ended, on any database of the server; `true`: it may again. Returns the sessions ended; an absent
   * role (a teardown finished) ends none and is not an error. Idempotent.
   */
  setOwnerLogin(databaseName: string, allowed: boolean): Promise<{ terminated: number; roleExists: boolean }>;
  /**
   * `false`: refuses new sessions and ends the open ones (a move's copy must see no more writes);
   * `true`: allows them again. Returns the sessions ended.
   */
  allowConnections(databaseName: string, allowed: boolean): Promise<{ terminated: number }>;
  /** Drops the database and its owner role. */
  drop(databaseName: string): Promise<DroppedDatabase>;
  exists(databaseName: string): Promise<boolean>;
  /** Every school database on the server (names matching `school_<32 hex>`). */
  list(): Promise<string[]>;
  /** The latest school schema version: the number of migrations in the school schema's drizzle-kit journal. */
  currentSchemaVersion(): string;
}

/** `school_` and the school id's 32 hex digits: generated, never taken from input. */
export function databaseNameFor(schoolId: string): string {
  const hex = schoolId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a school id: ${schoolId}`);
  return `school_${hex}`;
}
