import pg from 'pg';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { advisoryLockKey } from '../../postgres/sql-migrations.js';
import { applyDrizzleMigrations, recordedState, schoolSchemaDir } from '../../postgres/drizzle-migrations.js';
import { codeOf, databaseExists, type ServerSessions } from './server-sessions.js';

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

/**
 * The migrated template database on one server that school databases are cloned from (a file-level copy,
 * several times faster than running the DDL). It is only a cache: rebuilt when its applied files were edited.
 *
 * Clones hold a shared advisory lock and template maintenance an exclusive one (on the maintenance
 * database, keyed by the template's name), so any number of schools clone at once across processes while
 * a template being migrated is never copied.
 */
export class SchoolTemplate {
  readonly name: string;
  private readonly lockKey: string;
  /** Known current: later creates skip the check. Templates only move forward, so it stays true. */
  private current = false;

  constructor(
    /** The school schema's drizzle-kit migrations folder. */
    readonly dir: string,
    name: string | undefined,
    private readonly sessions: ServerSessions,
    private readonly logger: Logger,
  ) {
    this.name = name ?? defaultTemplateName(dir);
    if (!TEMPLATE_NAME.test(this.name)) throw new Error(`not a usable template database name: ${this.name}`);
    this.lockKey = advisoryLockKey(`scs-school-template:${this.name}`);
  }

  /** Whether clones may be taken: the template was found current (or made so) by this process. */
  get isCurrent(): boolean {
    return this.current;
  }

  /**
   * Creates the template or migrates it forward, under the exclusive lock. `dropCopies` runs once it has
   * changed, still under the lock: copies of it as it was (spares) may no longer be taken.
   */
  async ensure(dropCopies: (server: pg.ClientBase) => Promise<void>): Promise<void> {
    const template = pg.escapeIdentifier(this.name);
    await this.sessions.withServer(async (server) => {
      await server.query('SELECT pg_advisory_lock($1)', [this.lockKey]);
      try {
        const state = await this.state(server);
        // PUBLIC's default CONNECT and TEMPORARY would let every school's role into the template; SCS,
        // its owner, clones it without them. Revoked on every start: an older SCS may have made it with them.
        const closeTemplate = () => server.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${template} FROM PUBLIC`);
        if (state === 'current') {
          await closeTemplate();
          return void (this.current = true);
        }
        if (state === 'diverged') {
          this.logger.warn(
            `school template ${this.name} was built from migration files that have since changed: rebuilding it`,
          );
          await server.query(`DROP DATABASE ${template} WITH (FORCE)`);
        }
        if (state === 'missing' || state === 'diverged')
          await server.query(`CREATE DATABASE ${template} TEMPLATE template0`);
        await closeTemplate();
        const result = await this.sessions.withDatabase(this.name, (c) => applyDrizzleMigrations(c, this.dir));
        await dropCopies(server);
        this.logger.log(
          `school template ${this.name} at schema ${result.version} (applied ${result.applied.join(', ') || 'nothing'})`,
        );
        this.current = true;
      } finally {
        await server.query('SELECT pg_advisory_unlock($1)', [this.lockKey]).catch(() => undefined);
      }
    });
  }

  /**
   * Looks again, under the exclusive lock, whether the template is current. One whose schema cannot be read
   * is taken as not current: `databaseName` (the school being created) is then created empty.
   */
  async recheck(server: pg.ClientBase, databaseName: string): Promise<void> {
    await server.query('SELECT pg_advisory_lock($1)', [this.lockKey]);
    try {
      this.current = (await this.state(server)) === 'current';
    } catch (error) {
      this.logger.warn(
        `cannot read the schema of ${this.name} (${describeError(error)}); creating ${databaseName} empty`,
      );
    } finally {
      await server.query('SELECT pg_advisory_unlock($1)', [this.lockKey]);
    }
  }

  /** Takes the shared lock that every copy of the template holds while it is made. */
  async lockShared(server: pg.ClientBase): Promise<void> {
    await server.query('SELECT pg_advisory_lock_shared($1)', [this.lockKey]);
  }

  async unlockShared(server: pg.ClientBase): Promise<void> {
    await server.query('SELECT pg_advisory_unlock_shared($1)', [this.lockKey]);
  }

  /**
   * Clones the template into `name` (quoted; `databaseName` unquoted, for the log). `failed` (logged): the
   * caller creates it empty. Call under the shared lock.
   */
  async cloneInto(
    server: pg.ClientBase,
    name: string,
    databaseName: string,
  ): Promise<'created' | 'existed' | 'failed'> {
    for (let attempt = 1; ; attempt++) {
      try {
        // The default STRATEGY (WAL_LOG since PostgreSQL 15) on purpose: FILE_COPY forces two
        // checkpoints per database and was 3-5× slower here (docs/OPERATIONS.md).
        await server.query(`CREATE DATABASE ${name} TEMPLATE ${pg.escapeIdentifier(this.name)}`);
        return 'created';
      } catch (error) {
        if (codeOf(error) === '42P04') return 'existed'; // a concurrent create of the same school won
        if (codeOf(error) === '3D000') this.current = false; // the template was dropped
        // 55006: someone else (a psql session, say) is connected to the template. PostgreSQL has
        // already waited 5 s for them to leave; wait a little more, then stop depending on it.
        if (codeOf(error) !== '55006' || attempt === CLONE_ATTEMPTS) {
          this.logger.warn(
            `cloning ${this.name} into ${databaseName} failed (${describeError(error)}); creating it empty instead`,
          );
          return 'failed';
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  /**
   * Compares the template's record in drizzle.__drizzle_migrations with the folder. Call under the exclusive
   * lock. One made before Drizzle (schema_migrations) is rebuilt: it is only a cache.
   */
  private async state(server: pg.ClientBase): Promise<TemplateState> {
    if (!(await databaseExists(server, this.name))) return 'missing';
    const state = await this.sessions.withDatabase(this.name, (c) => recordedState(c, this.dir));
    if (state.format === 'schema_migrations' || state.mismatched.length > 0) return 'diverged';
    return state.format === 'drizzle' && state.pending.length === 0 ? 'current' : 'behind';
  }
}
