import pg from 'pg';
import { guardClient, guardPool } from '../../postgres/connection-faults.js';
import { DeadlineClient, KEEPALIVE } from '../../postgres/deadlines.js';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type {
  CreatedDatabase,
  DatabaseOwner,
  DroppedDatabase,
  MigratedDatabase,
  MigrationTimeouts,
  SchemaStatus,
  TenantDatabases,
} from '../../../application/ports/tenant-databases.port.js';
import { SchemaMigrationError } from '../../../application/ports/tenant-databases.port.js';
import { StepError } from '../../../application/ports/step-error.js';
import { advisoryLockKey, MigrationChecksumError, MigrationFailedError } from '../../postgres/sql-migrations.js';
import {
  applyDrizzleMigrations,
  latestDrizzleVersion,
  listDrizzleMigrations,
  recordedState,
  schoolSchemaDir,
  versionAt,
  type DrizzleMigrationResult,
} from '../../postgres/drizzle-migrations.js';
import { describeError } from '../../../application/describe-error.js';

const SCHOOL_DATABASE = /^school_[0-9a-f]{32}$/;
const TEMPLATE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const CLONE_ATTEMPTS = 3;

type Logger = Pick<AppLogger, 'log' | 'warn'>;
type TemplateState = 'current' | 'missing' | 'behind' | 'diverged';

/**
 * `scs_school_drizzle_template` for the shipped migrations (school-schema/migrations). Every SCS on a server
 * shares that template, so an SCS given another drizzle-kit folder (SCS_SCHOOL_MIGRATIONS_DIR) gets a
 * template of its own, named after the folder. Not `scs_school_template`, the name from before Drizzle: an
 * SCS of that time still running beside this one (a rolling deploy) keeps its own template and spares.
 */
function defaultTemplateName(dir: string): string {
  if (resolve(dir) === resolve(schoolSchemaDir())) return 'scs_school_drizzle_template';
  return `scs_school_template_${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12)}`;
}

/** The names of a template's spares begin with this: `scs_spare_<12 hex of the template's name>_`. */
export function spareDatabasePrefix(templateName: string): string {
  return `scs_spare_${createHash('sha256').update(templateName).digest('hex').slice(0, 12)}_`;
}

/** A spare being made (cloned, not yet closed to PUBLIC) has this name: `scs_making_<12 hex>_…`. */
export function makingDatabasePrefix(templateName: string): string {
  return spareDatabasePrefix(templateName).replace(/^scs_spare_/, 'scs_making_');
}

function quoteSchoolDatabase(name: string): string {
  // Names are generated from school ids; this guard keeps anything else out of DDL.
  if (typeof name !== 'string' || !SCHOOL_DATABASE.test(name))
    throw StepError.permanent(`not a school database name: ${JSON.stringify(name)?.slice(0, 80)}`);
  return pg.escapeIdentifier(name);
}

const codeOf = (error: unknown) => (error as { code?: string }).code;

/**
 * School databases on one PostgreSQL server. A new one is cloned from a migrated template when the
 * template is current (a file-level copy, several times faster than running the DDL), otherwise
 * created empty for `migrate` to fill.
 *
 * PostgreSQL refuses to clone a database that has sessions, so nothing here keeps a connection to the
 * template. Clones hold a shared advisory lock and template maintenance an exclusive one (on the
 * maintenance database, keyed by template name), so any number of schools clone at once across
 * processes while a template being migrated is never copied.
 */
export class PostgresTenantDatabases implements TenantDatabases {
  readonly templateName: string;
  private readonly logger: Logger;
  private readonly dir: string;
  private readonly lockKey: string;
  /** Known current: later creates skip the check. Templates only move forward, so it stays true. */
  private templateCurrent = false;
  /**
   * Sessions on the server's maintenance database, kept between calls: a school's create and secure
   * opened three, and each new session costs the server a process start (≈ 2.5 ms here). Idle ones
   * close after 10 s and never keep the process alive; one that saw an error is discarded, not reused.
   */
  private readonly serverSessions: pg.Pool;
  /** Names of this template's spares (whoever made them) begin with the first; of those being made, the second. */
  private readonly sparePrefix: string;
  private readonly makingPrefix: string;
  private readonly fillKey: string;
  private keepingSpares = false;
  /** The running refill, if any (one at a time per process); `close` waits for it. */
  private refilling?: Promise<void>;
  private refillAgain = false;

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
      /**
       * Kept sessions on the server (default 8), how long opening one may take (default 10 s), and how long
       * a statement may go unanswered before its session is closed (default: no limit).
       */
      serverSessions?: { max?: number; connectTimeoutMs?: number; queryTimeoutMs?: number };
      /**
       * Template clones to keep ready once `keepSpares` is called (default 0: none). `create` renames one
       * (a catalog update, ~1 ms) instead of copying the template then (40-70 ms here), and a new one is
       * cloned behind it.
       */
      spares?: number;
    },
  ) {
    this.dir = options.migrationsDir ?? schoolSchemaDir();
    this.templateName = options.templateName ?? defaultTemplateName(this.dir);
    if (!TEMPLATE_NAME.test(this.templateName))
      throw new Error(`not a usable template database name: ${this.templateName}`);
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined };
    this.lockKey = advisoryLockKey(`scs-school-template:${this.templateName}`);
    this.fillKey = advisoryLockKey(`scs-school-spares:${this.templateName}`);
    this.sparePrefix = spareDatabasePrefix(this.templateName);
    this.makingPrefix = makingDatabasePrefix(this.templateName);
    // Named, so that operators (and the test) can tell SCS's kept sessions in pg_stat_activity.
    const max = options.serverSessions?.max ?? 8;
    const sessions = { connectionString: options.serverUrl, application_name: 'scs-tenant-server', max };
    // Opening a session times out; waiting for a busy one does not: the pool's own connectionTimeoutMillis
    // would also bound that wait, and a DROP DATABASE waits for a checkpoint (seconds on a busy disk), so
    // 16 drops at once on 8 sessions failed with "timeout exceeded when trying to connect".
    const connectionTimeoutMillis = options.serverSessions?.connectTimeoutMs ?? 10_000;
    const query_timeout = options.serverSessions?.queryTimeoutMs;
    class Session extends DeadlineClient {
      constructor(config?: pg.ClientConfig) {
        super({ ...config, ...KEEPALIVE, connectionTimeoutMillis, query_timeout });
      }
    }
    const timeouts = { idleTimeoutMillis: 10_000, allowExitOnIdle: true };
    this.serverSessions = guardPool(new pg.Pool({ ...sessions, ...timeouts, Client: Session }), 'tenant server');
    listDrizzleMigrations(this.dir); // fail at start-up, not at the first school, if the files are unreadable
  }

  currentSchemaVersion(): string {
    return latestDrizzleVersion(this.dir);
  }

  /** Creates the template or migrates it forward; rebuilt if its applied files were edited (it is only a cache). */
  async ensureTemplate(): Promise<void> {
    const template = pg.escapeIdentifier(this.templateName);
    await this.withServer(async (server) => {
      await server.query('SELECT pg_advisory_lock($1)', [this.lockKey]);
      try {
        const state = await this.templateState(server);
        // PUBLIC's default CONNECT and TEMPORARY would let every school's role into the template; SCS,
        // its owner, clones it without them. Revoked on every start, for templates made before this.
        const closeTemplate = () => server.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${template} FROM PUBLIC`);
        if (state === 'current') {
          await closeTemplate();
          return void (this.templateCurrent = true);
        }
        if (state === 'diverged') {
          this.logger.warn(
            `school template ${this.templateName} was built from migration files that have since changed: rebuilding it`,
          );
          await server.query(`DROP DATABASE ${template} WITH (FORCE)`);
        }
        if (state === 'missing' || state === 'diverged')
          await server.query(`CREATE DATABASE ${template} TEMPLATE template0`);
        await closeTemplate();
        const result = await this.withDatabase(this.templateName, (c) => applyDrizzleMigrations(c, this.dir));
        // Spares are copies of the template as it was: none may be taken once it has changed.
        await this.dropSpares(server);
        this.logger.log(
          `school template ${this.templateName} at schema ${result.version} (applied ${result.applied.join(', ') || 'nothing'})`,
        );
        this.templateCurrent = true;
      } finally {
        await server.query('SELECT pg_advisory_unlock($1)', [this.lockKey]).catch(() => undefined);
      }
    });
  }

  async create(databaseName: string, options: { empty?: boolean } = {}): Promise<CreatedDatabase> {
    const created = await this.createUnmarked(databaseName, options.empty ?? false);
    // Also on a re-run: the mark may be what the crashed attempt did not get to.
    if (this.options.owner) {
      await this.withServer((server) =>
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
    return this.withServer(async (server) => {
      // A re-run after a crash finds the database from the first attempt (whichever way it was made).
      if (await this.existsOn(server, databaseName)) {
        return result(this.templateCurrent && !empty ? 'template' : 'empty', true);
      }
      if (!this.templateCurrent && !empty) {
        await server.query('SELECT pg_advisory_lock($1)', [this.lockKey]);
        try {
          this.templateCurrent = (await this.templateState(server)) === 'current';
        } catch (error) {
          this.logger.warn(
            `cannot read the schema of ${this.templateName} (${describeError(error)}); creating ${databaseName} empty`,
          );
        } finally {
          await server.query('SELECT pg_advisory_unlock($1)', [this.lockKey]);
        }
      }
      if (this.templateCurrent && !empty) {
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

  private async cloneTemplate(
    server: pg.ClientBase,
    name: string,
    databaseName: string,
  ): Promise<'spare' | 'created' | 'existed' | 'failed'> {
    await server.query('SELECT pg_advisory_lock_shared($1)', [this.lockKey]);
    try {
      const spare = (this.options.spares ?? 0) > 0 ? await this.takeSpare(server, name) : undefined;
      if (spare) {
        this.refill();
        return spare;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          // The default STRATEGY (WAL_LOG since PostgreSQL 15) on purpose: FILE_COPY forces two
          // checkpoints per database and was 3-5× slower here (docs/OPERATIONS.md).
          await server.query(`CREATE DATABASE ${name} TEMPLATE ${pg.escapeIdentifier(this.templateName)}`);
          return 'created';
        } catch (error) {
          if (codeOf(error) === '42P04') return 'existed'; // a concurrent create of the same school won
          if (codeOf(error) === '3D000') this.templateCurrent = false; // the template was dropped
          // 55006: someone else (a psql session, say) is connected to the template. PostgreSQL has
          // already waited 5 s for them to leave; wait a little more, then stop depending on it.
          if (codeOf(error) !== '55006' || attempt === CLONE_ATTEMPTS) {
            this.logger.warn(
              `cloning ${this.templateName} into ${databaseName} failed (${describeError(error)}); creating it empty instead`,
            );
            return 'failed';
          }
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
        }
      }
    } finally {
      await server.query('SELECT pg_advisory_unlock_shared($1)', [this.lockKey]).catch(() => undefined);
    }
  }

  /**
   * Keeps `spares` template clones ready from now on (the service calls it once it has started; the CLI
   * never does, so a command does not leave clones behind it or wait for one at exit).
   */
  keepSpares(): void {
    this.keepingSpares = (this.options.spares ?? 0) > 0;
    this.refill();
  }

  /** Spares of this template ready on the server now. */
  async spareCount(): Promise<number> {
    return this.withServer(async (server) => (await this.sparesOn(server)).length);
  }

  private sparesOn(server: pg.ClientBase): Promise<string[]> {
    return this.namedOn(server, this.sparePrefix);
  }

  /** The databases on the server whose names begin with `prefix`, oldest first. */
  private async namedOn(server: pg.ClientBase, prefix: string): Promise<string[]> {
    const rows = await server.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY oid',
      [prefix],
    );
    return rows.rows.map((r) => r.datname);
  }

  /**
   * Renames a spare to the school's name: 'spare', or 'existed' when a concurrent create of the same
   * school won, or undefined when none is left. Call under the shared template lock.
   */
  private async takeSpare(server: pg.ClientBase, name: string): Promise<'spare' | 'existed' | undefined> {
    for (const spare of await this.sparesOn(server)) {
      try {
        await server.query(`ALTER DATABASE ${pg.escapeIdentifier(spare)} RENAME TO ${name}`);
        return 'spare';
      } catch (error) {
        if (codeOf(error) === '42P04') return 'existed';
        // 3D000: another process took it first; 55006: someone has a session on it: try the next one.
        if (codeOf(error) !== '3D000' && codeOf(error) !== '55006') throw error;
      }
    }
    return undefined;
  }

  /**
   * Starts cloning spares up to the number kept. While a refill runs, a take asks it to look once more
   * when it ends: it may have counted the spares before that take (a take lost so left the servers of
   * the tenant-servers e2e test with 0 of 2 spares after a burst, in 2 of 4 runs).
   */
  private refill(): void {
    if (!this.keepingSpares) return;
    if (this.refilling) return void (this.refillAgain = true);
    this.refillAgain = false;
    this.refilling = this.fillSpares()
      .catch((error) =>
        this.logger.warn(
          `spare school databases: cannot clone ${this.templateName} (${describeError(error)}); ` +
            'new schools clone it themselves meanwhile',
        ),
      )
      .finally(() => {
        this.refilling = undefined;
        if (this.refillAgain) this.refill();
      });
  }

  private async fillSpares(): Promise<void> {
    const wanted = this.options.spares ?? 0;
    await this.withServer(async (server) => {
      // One refiller per template and server, whatever the number of SCS processes: the others' takes
      // are counted by this one's next look.
      const fill = await server.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [this.fillKey]);
      if (!fill.rows[0].got) return;
      try {
        // Only the holder of this lock makes spares: one still being made now was left by a refill that died.
        await this.dropNamed(server, this.makingPrefix);
        while (this.keepingSpares && this.templateCurrent) {
          await server.query('SELECT pg_advisory_lock_shared($1)', [this.lockKey]);
          try {
            if ((await this.sparesOn(server)).length >= wanted) return;
            const hex = randomBytes(4).toString('hex');
            const makingName = `${this.makingPrefix}${hex}`;
            const making = pg.escapeIdentifier(makingName);
            await server.query(`CREATE DATABASE ${making} TEMPLATE ${pg.escapeIdentifier(this.templateName)}`);
            // The first session on a new database builds its relation cache from the catalogs and reads
            // them from disk: 6-14 ms to connect here, 3-5 ms after. Paid now, not by the school's
            // run_migrations; the cache file outlives the renames (it is kept per database oid).
            await this.withDatabase(makingName, (client) => recordedState(client, this.dir));
            // A new database lets PUBLIC connect, and a spare waits long enough for a school's role to try:
            // it gets a spare's name (and can be taken) in the transaction that closes it.
            const spare = pg.escapeIdentifier(`${this.sparePrefix}${hex}`);
            await server.query(
              `REVOKE CONNECT, TEMPORARY ON DATABASE ${making} FROM PUBLIC; ALTER DATABASE ${making} RENAME TO ${spare}`,
            );
          } finally {
            await server.query('SELECT pg_advisory_unlock_shared($1)', [this.lockKey]);
          }
        }
      } finally {
        await server.query('SELECT pg_advisory_unlock($1)', [this.fillKey]);
      }
    });
  }

  /** Drops every spare of this template, and any left half-made. Call under the exclusive template lock. */
  private async dropSpares(server: pg.ClientBase): Promise<void> {
    await this.dropNamed(server, this.sparePrefix);
    await this.dropNamed(server, this.makingPrefix);
  }

  private async dropNamed(server: pg.ClientBase, prefix: string): Promise<void> {
    for (const name of await this.namedOn(server, prefix))
      await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }

  /**
   * Compares the template's record in drizzle.__drizzle_migrations with the folder. Call under the exclusive
   * lock. One made before Drizzle (schema_migrations) is rebuilt: it is only a cache.
   */
  private async templateState(server: pg.ClientBase): Promise<TemplateState> {
    if (!(await this.existsOn(server, this.templateName))) return 'missing';
    const state = await this.withDatabase(this.templateName, (c) => recordedState(c, this.dir));
    if (state.format === 'schema_migrations' || state.mismatched.length > 0) return 'diverged';
    return state.format === 'drizzle' && state.pending.length === 0 ? 'current' : 'behind';
  }

  async migrate(
    databaseName: string,
    options: { timeouts?: MigrationTimeouts; owner?: DatabaseOwner; toVersion?: string } = {},
  ): Promise<MigratedDatabase> {
    quoteSchoolDatabase(databaseName);
    const { toVersion } = options;
    const known = (version: string) =>
      /^\d{4}$/.test(version) && Number(version) >= 1 && Number(version) <= listDrizzleMigrations(this.dir).length;
    if (toVersion !== undefined && !known(toVersion)) {
      throw StepError.permanent(`school schema version ${toVersion} is not among this version's migrations`);
    }
    if (options.owner) checkOwner(databaseName, options.owner);
    const started = performance.now();
    // The owner's role and the database's ownership are the server's business, not the school database's:
    // made on a kept server session while this one connects and migrates (a new session on a school
    // database is a process start and a cold cache, ~10 ms; CREATE ROLE hashes the password, ~7 ms).
    const owned = options.owner && this.ownDatabase(databaseName, options.owner);
    owned?.catch(() => undefined); // awaited below; a failed migration must not leave it unhandled
    return this.withDatabase(databaseName, async (client) => {
      let result: DrizzleMigrationResult;
      try {
        result = await applyDrizzleMigrations(client, this.dir, { timeouts: options.timeouts, upTo: toVersion });
      } catch (error) {
        // An edited migration will not fix itself on retry.
        if (error instanceof MigrationChecksumError) {
          throw new SchemaMigrationError(error.message, error.file, [], true, error);
        }
        if (error instanceof MigrationFailedError) {
          throw new SchemaMigrationError(error.message, error.file, error.applied, false, error);
        }
        throw error;
      }
      const tables = await client.query<{ n: number }>(
        // pg_class rather than information_schema.tables: the same count, cheaper (rollouts run it per school).
        `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'`,
      );
      const durationMs = Math.round(performance.now() - started);
      // The grants in this session: a new session on a school database is a process start and a cold cache.
      if (options.owner) {
        await owned;
        await this.grantIn(client, options.owner);
      }
      return {
        databaseName,
        schemaVersion: result.version,
        applied: result.applied,
        recorded: result.all,
        ...(result.adopted.length ? { adopted: result.adopted } : {}),
        tableCount: tables.rows[0].n,
        durationMs,
      };
    });
  }

  async schemaStatus(databaseName: string): Promise<SchemaStatus> {
    quoteSchoolDatabase(databaseName);
    const state = await this.withDatabase(databaseName, (client) => recordedState(client, this.dir));
    const tags = (migrations: Array<{ tag: string }>) => migrations.map((m) => m.tag);
    return {
      databaseName,
      // A database ahead of the folder (another folder's migrations applied) says how far.
      version: versionAt(state.applied.length + state.ahead),
      pending: tags(state.pending),
      mismatched: tags(state.mismatched),
      format: state.format,
    };
  }

  async secure(databaseName: string, owner: DatabaseOwner): Promise<void> {
    quoteSchoolDatabase(databaseName);
    checkOwner(databaseName, owner);
    await this.ownDatabase(databaseName, owner);
    await this.withDatabase(databaseName, (client) => this.grantIn(client, owner));
  }

  /** `secure`'s part on the server: the owner's role (made or its password set) owns the database, alone. */
  private async ownDatabase(databaseName: string, owner: DatabaseOwner): Promise<void> {
    const name = quoteSchoolDatabase(databaseName);
    const role = pg.escapeIdentifier(owner.role);
    await this.withServer(async (server) => {
      const exists = (await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner.role])).rowCount === 1;
      // Password literals cannot be bound as parameters in DDL; escapeLiteral quotes them safely.
      const password = pg.escapeLiteral(owner.password);
      await server
        .query(
          `${exists ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
        )
        .catch((error) => {
          if (codeOf(error) !== '42710') throw error; // created meanwhile by a concurrent run
        });
      // One query of several statements is one transaction: one commit (one WAL flush) instead of one each.
      await server.query(
        `ALTER DATABASE ${name} OWNER TO ${role}; REVOKE ALL ON DATABASE ${name} FROM PUBLIC;
         GRANT CONNECT, TEMPORARY ON DATABASE ${name} TO ${role}`,
      );
    });
  }

  /** `secure`'s part inside the school database, through `client` (a session on it), once the role exists. */
  private async grantIn(client: pg.ClientBase, owner: DatabaseOwner): Promise<void> {
    const role = pg.escapeIdentifier(owner.role);
    // The tables were made by SCS's own role (in the template or by migrations): the owner gets them all, and
    // Drizzle's journal table, which the app's own drizzle-orm migrate() reads and extends.
    await client.query(
      `GRANT ALL ON SCHEMA public TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role};
       GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${role};
       ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO ${role};
       ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO ${role};
       DO $$ BEGIN IF to_regnamespace('drizzle') IS NOT NULL THEN
         GRANT ALL ON SCHEMA drizzle TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA drizzle TO ${role};
         GRANT ALL ON ALL SEQUENCES IN SCHEMA drizzle TO ${role}; END IF; END $$`,
    );
  }

  async setOwnerPassword(databaseName: string, owner: DatabaseOwner): Promise<{ changed: boolean }> {
    quoteSchoolDatabase(databaseName);
    checkOwner(databaseName, owner);
    const role = pg.escapeIdentifier(owner.role);
    return this.withServer(async (server) => {
      try {
        // Password literals cannot be bound as parameters in DDL; escapeLiteral quotes them safely.
        await server.query(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(owner.password)}`);
        return { changed: true };
      } catch (error) {
        if (codeOf(error) === '42704') return { changed: false }; // the role is gone: a teardown finished
        throw error;
      }
    });
  }

  async setOwnerLogin(databaseName: string, allowed: boolean): Promise<{ terminated: number; roleExists: boolean }> {
    quoteSchoolDatabase(databaseName);
    const owner = `${databaseName}_owner`;
    const role = pg.escapeIdentifier(owner);
    return this.withServer(async (server) => {
      try {
        await server.query(`ALTER ROLE ${role} ${allowed ? 'LOGIN' : 'NOLOGIN'}`);
      } catch (error) {
        if (codeOf(error) === '42704') return { terminated: 0, roleExists: false }; // dropped by a teardown
        throw error;
      }
      if (allowed) return { terminated: 0, roleExists: true };
      // After NOLOGIN, so no session can start between the two: every session of the role ends.
      const ended = await server.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE usename = $1 AND pid <> pg_backend_pid()`,
        [owner],
      );
      return { terminated: ended.rows[0].n, roleExists: true };
    });
  }

  async allowConnections(databaseName: string, allowed: boolean): Promise<{ terminated: number }> {
    return this.closeExcept(databaseName, allowed, null);
  }

  /** As allowConnections, keeping one session (`keep`: the pid of a copy's own connection). */
  async closeExcept(databaseName: string, allowed: boolean, keep: number | null): Promise<{ terminated: number }> {
    const name = quoteSchoolDatabase(databaseName);
    return this.withServer(async (server) => {
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
    const url = new URL(this.options.serverUrl);
    url.pathname = `/${databaseName}`;
    const options = { connectionString: url.toString(), connectionTimeoutMillis: 10_000, ...KEEPALIVE };
    const client = guardClient(new pg.Client(options), 'school database copy');
    await client.connect();
    return client;
  }

  async drop(databaseName: string): Promise<DroppedDatabase> {
    const name = quoteSchoolDatabase(databaseName);
    return this.withServer(async (server) => {
      const dropRole = async () => {
        // The role owns nothing else (its database is gone), so it can go; an absent role is fine.
        await server.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(`${databaseName}_owner`)}`);
      };
      if (!(await this.existsOn(server, databaseName))) {
        await dropRole();
        return { databaseName, existed: false, terminatedConnections: 0 };
      }
      // Refuse new sessions first, so none slips in between the terminations and the drop.
      await server.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`).catch(() => undefined);
      const terminated = await server.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [databaseName],
      );
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropRole();
      return { databaseName, existed: true, terminatedConnections: terminated.rows[0].n };
    });
  }

  async exists(databaseName: string): Promise<boolean> {
    quoteSchoolDatabase(databaseName);
    return this.withServer((server) => this.existsOn(server, databaseName));
  }

  async list(): Promise<string[]> {
    return this.withServer(async (server) => {
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
    this.keepingSpares = false;
    // The spare being cloned is finished, not abandoned (a refill it asked for does not start).
    while (this.refilling) await this.refilling;
    await this.serverSessions.end();
  }

  private async existsOn(server: pg.ClientBase, databaseName: string): Promise<boolean> {
    return (await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName])).rowCount === 1;
  }

  private async withServer<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const client = await this.serverSessions.connect();
    try {
      const result = await fn(client);
      client.release();
      return result;
    } catch (error) {
      client.release(true); // the failed call may have left its session holding a lock or a transaction
      throw error;
    }
  }

  private withDatabase<T>(database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const url = new URL(this.options.serverUrl);
    url.pathname = `/${database}`;
    return this.withClient(url.toString(), fn);
  }

  private async withClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    // A terminated idle session must not crash the process; the next query reports it.
    const options = { connectionString, connectionTimeoutMillis: 10_000, ...KEEPALIVE };
    const client = guardClient(new pg.Client(options), 'tenant database');
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function checkOwner(databaseName: string, owner: DatabaseOwner): void {
  if (owner.role !== `${databaseName}_owner`)
    throw StepError.permanent(`unexpected owner role ${owner.role} for ${databaseName}`);
}
