import pg from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { advisoryLockKey } from '../../postgres/sql-migrations.js';
import { recordedState } from '../../postgres/drizzle-migrations.js';
import type { SchoolTemplate } from './school-template.js';
import { codeOf, type ServerSessions } from './server-sessions.js';

type Logger = Pick<AppLogger, 'log' | 'warn'>;

/** The names of a template's spares begin with this: `scs_spare_<12 hex of the template's name>_`. */
export function spareDatabasePrefix(templateName: string): string {
  return `scs_spare_${createHash('sha256').update(templateName).digest('hex').slice(0, 12)}_`;
}

/** A spare being made (cloned, not yet closed to PUBLIC) has this name: `scs_making_<12 hex>_…`. */
export function makingDatabasePrefix(templateName: string): string {
  return spareDatabasePrefix(templateName).replace(/^scs_spare_/, 'scs_making_');
}

/**
 * Clones of the template kept ready on the server: a create renames one (a catalog update, ~1 ms) instead
 * of copying the template then (40-70 ms here), and a new one is cloned behind it. Spares are named after
 * the template, whoever made them; one process per template and server refills them at a time.
 */
export class SparePool {
  private readonly sparePrefix: string;
  private readonly makingPrefix: string;
  private readonly fillKey: string;
  private keeping = false;
  /** The running refill, if any (one at a time per process); `stop` waits for it. */
  private refilling?: Promise<void>;
  private refillAgain = false;

  constructor(
    private readonly template: SchoolTemplate,
    private readonly sessions: ServerSessions,
    /** How many to keep ready once `keep` is called (0: none). */
    private readonly wanted: number,
    private readonly logger: Logger,
  ) {
    this.fillKey = advisoryLockKey(`scs-school-spares:${template.name}`);
    this.sparePrefix = spareDatabasePrefix(template.name);
    this.makingPrefix = makingDatabasePrefix(template.name);
  }

  /** Keeps the spares ready from now on. */
  keep(): void {
    this.keeping = this.wanted > 0;
    this.refill();
  }

  async count(): Promise<number> {
    return this.sessions.withServer(async (server) => (await this.sparesOn(server)).length);
  }

  /**
   * Renames a spare to `name` (quoted): 'spare', or 'existed' when a concurrent create of the same school
   * won, or undefined when none is left (or none are kept). Call under the template's shared lock.
   */
  async take(server: pg.ClientBase, name: string): Promise<'spare' | 'existed' | undefined> {
    if (!(this.wanted > 0)) return undefined;
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
   * when it ends: it may have counted the spares before that take, and would stop short of the number kept.
   */
  refill(): void {
    if (!this.keeping) return;
    if (this.refilling) return void (this.refillAgain = true);
    this.refillAgain = false;
    this.refilling = this.fill()
      .catch((error) =>
        this.logger.warn(
          `spare school databases: cannot clone ${this.template.name} (${describeError(error)}); ` +
            'new schools clone it themselves meanwhile',
        ),
      )
      .finally(() => {
        this.refilling = undefined;
        if (this.refillAgain) this.refill();
      });
  }

  /** Drops every spare, and any left half-made. Call under the template's exclusive lock. */
  async dropAll(server: pg.ClientBase): Promise<void> {
    await this.dropNamed(server, this.sparePrefix);
    await this.dropNamed(server, this.makingPrefix);
  }

  /** Makes no more; the spare being cloned is finished, not abandoned (a refill it asked for does not start). */
  async stop(): Promise<void> {
    this.keeping = false;
    while (this.refilling) await this.refilling;
  }

  private async fill(): Promise<void> {
    await this.sessions.withServer(async (server) => {
      // One refiller per template and server, whatever the number of SCS processes: the others' takes
      // are counted by this one's next look.
      const fill = await server.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [this.fillKey]);
      if (!fill.rows[0].got) return;
      try {
        // Only the holder of this lock makes spares: one still being made now was left by a refill that died.
        await this.dropNamed(server, this.makingPrefix);
        while (this.keeping && this.template.isCurrent) {
          await this.template.lockShared(server);
          try {
            if ((await this.sparesOn(server)).length >= this.wanted) return;
            await this.makeOne(server);
          } finally {
            await this.template.unlockShared(server);
          }
        }
      } finally {
        await server.query('SELECT pg_advisory_unlock($1)', [this.fillKey]);
      }
    });
  }

  /** Clones the template into a new spare. Call under the template's shared lock. */
  private async makeOne(server: pg.ClientBase): Promise<void> {
    const hex = randomBytes(4).toString('hex');
    const makingName = `${this.makingPrefix}${hex}`;
    const making = pg.escapeIdentifier(makingName);
    await server.query(`CREATE DATABASE ${making} TEMPLATE ${pg.escapeIdentifier(this.template.name)}`);
    // The first session on a new database builds its relation cache from the catalogs and reads
    // them from disk: 6-14 ms to connect here, 3-5 ms after. Paid now, not by the school's
    // run_migrations; the cache file outlives the renames (it is kept per database oid).
    await this.sessions.withDatabase(makingName, (client) => recordedState(client, this.template.dir));
    // A new database lets PUBLIC connect, and a spare waits long enough for a school's role to try:
    // it gets a spare's name (and can be taken) in the transaction that closes it.
    const spare = pg.escapeIdentifier(`${this.sparePrefix}${hex}`);
    await server.query(
      `REVOKE CONNECT, TEMPORARY ON DATABASE ${making} FROM PUBLIC; ALTER DATABASE ${making} RENAME TO ${spare}`,
    );
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

  private async dropNamed(server: pg.ClientBase, prefix: string): Promise<void> {
    for (const name of await this.namedOn(server, prefix))
      await server.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }
}
