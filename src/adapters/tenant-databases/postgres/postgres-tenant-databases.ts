import pg from 'pg';
import type { AppLogger } from '../../../ports/logger.port.js';
import type {
  CreatedDatabase,
  DatabaseOwner,
  DroppedDatabase,
  MigratedDatabase,
  MigrationTimeouts,
  SchemaStatus,
  TenantDatabases,
} from '../../../ports/tenant-databases.port.js';
import {
  latestDrizzleVersion,
  listDrizzleMigrations,
  recordedState,
  schoolSchemaDir,
} from '../../postgres/drizzle-migrations.js';
import { OwnerRoles } from './owner-roles.js';
import { checkOwner, quoteSchoolDatabase } from './school-database-name.js';
import { applySchoolMigrations, checkTargetVersion, countTables, schemaStatusOf } from './school-migrations.js';
import { SchoolTemplate } from './school-template.js';
import { codeOf, databaseExists, ServerSessions, type ServerSessionLimits } from './server-sessions.js';
import { SparePool } from './spare-pool.js';

type Logger = Pick<AppLogger, 'log' | 'warn'>;

/**
 * School databases on one PostgreSQL server. A new one is a spare renamed, or cloned from the migrated
 * template when the template is current, otherwise created empty for `migrate` to fill. The template, the
 * spares, the owners' roles and the server sessions are each their own piece; this adapter composes them.
 */
export class PostgresTenantDatabases implements TenantDatabases {
  readonly templateName: string;
  private readonly dir: string;
  private readonly sessions: ServerSessions;
  private readonly template: SchoolTemplate;
  private readonly spares: SparePool;
  private readonly roles: OwnerRoles;

  /**
   * `owner` marks each school database this SCS creates (a comment on the database), so that `list`
   * — which the reconciler compares with the read model — sees only this instance's databases even
   * when other SCS instances or tests share the server.
   */
  constructor(
    private readonly options: {
      serverUrl: string;
      templateName?: string;
      logger?: Logger;
      owner?: string;
      /** The school schema's drizzle-kit migrations folder (default school-schema/migrations). */
      migrationsDir?: string;
      serverSessions?: ServerSessionLimits;
      /** Template clones to keep ready once `keepSpares` is called (default 0: none); see SparePool. */
      spares?: number;
    },
  ) {
    this.dir = options.migrationsDir ?? schoolSchemaDir();
    const logger = options.logger ?? { log: () => undefined, warn: () => undefined };
    this.sessions = new ServerSessions(options.serverUrl, options.serverSessions);
    this.template = new SchoolTemplate(this.dir, options.templateName, this.sessions, logger);
    this.templateName = this.template.name;
    this.spares = new SparePool(this.template, this.sessions, options.spares ?? 0, logger);
    this.roles = new OwnerRoles(this.sessions);
    listDrizzleMigrations(this.dir); // fail at start-up, not at the first school, if the files are unreadable
  }

  currentSchemaVersion(): string {
    return latestDrizzleVersion(this.dir);
  }

  /** Creates the template or migrates it forward; its spares, copies of it as it was, are dropped then. */
  async ensureTemplate(): Promise<void> {
    await this.template.ensure((server) => this.spares.dropAll(server));
  }

  async create(databaseName: string, options: { empty?: boolean } = {}): Promise<CreatedDatabase> {
    const created = await this.createUnmarked(databaseName, options.empty ?? false);
    // Also on a re-run: the mark may be what the crashed attempt did not get to.
    if (this.options.owner) {
      await this.sessions.withServer((server) =>
        server.query(
          `COMMENT ON DATABASE ${quoteSchoolDatabase(databaseName)} IS ${pg.escapeLiteral(`scs-owner:${this.options.owner}`)}`,
        ),
      );
    }
    return created;
  }

  private async createUnmarked(databaseName: string, empty: boolean): Promise<CreatedDatabase> {
    const name = quoteSchoolDatabase(databaseName);
    const started = performance.now();
    const result = (method: CreatedDatabase['method'], alreadyExisted: boolean): CreatedDatabase => ({
      databaseName,
      method,
      alreadyExisted,
      durationMs: Math.round(performance.now() - started),
    });
    return this.sessions.withServer(async (server) => {
      // A re-run after a crash finds the database from the first attempt (whichever way it was made).
      if (await databaseExists(server, databaseName)) {
        return result(this.template.isCurrent && !empty ? 'template' : 'empty', true);
      }
      if (!this.template.isCurrent && !empty) await this.template.recheck(server, databaseName);
      if (this.template.isCurrent && !empty) {
        const cloned = await this.cloneTemplate(server, name, databaseName);
        if (cloned === 'spare') return result('spare', false);
        if (cloned !== 'failed') return result('template', cloned === 'existed');
      }
      try {
        // template0 accepts no connections, so unlike template1 it is never "in use".
        await server.query(`CREATE DATABASE ${name} TEMPLATE template0`);
        return result('empty', false);
      } catch (error) {
        if (codeOf(error) === '42P04') return result('empty', true);
        throw error;
      }
    });
  }

  /** A spare renamed (and another cloned behind it), else a clone made now, under the template's shared lock. */
  private async cloneTemplate(
    server: pg.ClientBase,
    name: string,
    databaseName: string,
  ): Promise<'spare' | 'created' | 'existed' | 'failed'> {
    await this.template.lockShared(server);
    try {
      const spare = await this.spares.take(server, name);
      if (spare) {
        this.spares.refill();
        return spare;
      }
      return await this.template.cloneInto(server, name, databaseName);
    } finally {
      await this.template.unlockShared(server).catch(() => undefined);
    }
  }

  /**
   * Keeps the spares ready from now on (the service calls it once it has started; the CLI never does, so a
   * command does not leave clones behind it or wait for one at exit).
   */
  keepSpares(): void {
    this.spares.keep();
  }

  /** Spares of this template ready on the server now. */
  async spareCount(): Promise<number> {
    return this.spares.count();
  }

  async migrate(
    databaseName: string,
    options: { timeouts?: MigrationTimeouts; owner?: DatabaseOwner; toVersion?: string } = {},
  ): Promise<MigratedDatabase> {
    quoteSchoolDatabase(databaseName);
    const { toVersion } = options;
    checkTargetVersion(this.dir, toVersion);
    if (options.owner) checkOwner(databaseName, options.owner);
    const started = performance.now();
    // The owner's role and the database's ownership are the server's business, not the school database's:
    // made on a kept server session while this one connects and migrates (a new session on a school
    // database is a process start and a cold cache, ~10 ms; CREATE ROLE hashes the password, ~7 ms).
    const owned = options.owner && this.roles.own(databaseName, options.owner);
    owned?.catch(() => undefined); // awaited below; a failed migration must not leave it unhandled
    return this.sessions.withDatabase(databaseName, async (client) => {
      const result = await applySchoolMigrations(client, this.dir, { timeouts: options.timeouts, upTo: toVersion });
      const tableCount = await countTables(client);
      const durationMs = Math.round(performance.now() - started);
      // The grants in this session: a new session on a school database is a process start and a cold cache.
      if (options.owner) {
        await owned;
        await this.roles.grantIn(client, options.owner);
      }
      return {
        databaseName,
        schemaVersion: result.version,
        applied: result.applied,
        recorded: result.all,
        ...(result.adopted.length ? { adopted: result.adopted } : {}),
        tableCount,
        durationMs,
      };
    });
  }

  async schemaStatus(databaseName: string): Promise<SchemaStatus> {
    quoteSchoolDatabase(databaseName);
    const state = await this.sessions.withDatabase(databaseName, (client) => recordedState(client, this.dir));
    return schemaStatusOf(databaseName, state);
  }

  async secure(databaseName: string, owner: DatabaseOwner): Promise<void> {
    quoteSchoolDatabase(databaseName);
    checkOwner(databaseName, owner);
    await this.roles.own(databaseName, owner);
    await this.sessions.withDatabase(databaseName, (client) => this.roles.grantIn(client, owner));
  }

  async setOwnerPassword(databaseName: string, owner: DatabaseOwner): Promise<{ changed: boolean }> {
    quoteSchoolDatabase(databaseName);
    checkOwner(databaseName, owner);
    return this.roles.setPassword(owner);
  }

  async setOwnerLogin(databaseName: string, allowed: boolean): Promise<{ terminated: number; roleExists: boolean }> {
    quoteSchoolDatabase(databaseName);
    return this.roles.setLogin(databaseName, allowed);
  }

  async allowConnections(databaseName: string, allowed: boolean): Promise<{ terminated: number }> {
    return this.closeExcept(databaseName, allowed, null);
  }

  /** As allowConnections, keeping one session (`keep`: the pid of a copy's own connection). */
  async closeExcept(databaseName: string, allowed: boolean, keep: number | null): Promise<{ terminated: number }> {
    const name = quoteSchoolDatabase(databaseName);
    return this.sessions.withServer(async (server) => {
      await server.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${allowed}`);
      if (allowed) return { terminated: 0 };
      const ended = await server.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND pid IS DISTINCT FROM $2`,
        [databaseName, keep],
      );
      return { terminated: ended.rows[0].n };
    });
  }

  /** A client on one of this server's school databases, for a copy between servers (the caller ends it). */
  async connectTo(databaseName: string): Promise<pg.Client> {
    quoteSchoolDatabase(databaseName);
    return this.sessions.connectTo(databaseName);
  }

  async drop(databaseName: string): Promise<DroppedDatabase> {
    const name = quoteSchoolDatabase(databaseName);
    return this.sessions.withServer(async (server) => {
      if (!(await databaseExists(server, databaseName))) {
        await this.roles.dropOn(server, databaseName);
        return { databaseName, existed: false, terminatedConnections: 0 };
      }
      // Refuse new sessions first, so none slips in between the terminations and the drop.
      await server.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`).catch(() => undefined);
      const terminated = await server.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [databaseName],
      );
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await this.roles.dropOn(server, databaseName);
      return { databaseName, existed: true, terminatedConnections: terminated.rows[0].n };
    });
  }

  async exists(databaseName: string): Promise<boolean> {
    quoteSchoolDatabase(databaseName);
    return this.sessions.withServer((server) => databaseExists(server, databaseName));
  }

  async list(): Promise<string[]> {
    return this.sessions.withServer(async (server) => {
      const owner = this.options.owner ? `scs-owner:${this.options.owner}` : null;
      const rows = await server.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname ~ '^school_[0-9a-f]{32}$'
           AND ($1::text IS NULL OR shobj_description(oid, 'pg_database') = $1) ORDER BY datname`,
        [owner],
      );
      return rows.rows.map((r) => r.datname);
    });
  }

  /** Closes the kept sessions on the server (connections to school databases are opened per call). */
  async close(): Promise<void> {
    await this.spares.stop();
    await this.sessions.end();
  }
}
