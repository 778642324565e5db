import pg from 'pg';
import type { DatabaseOwner } from '../../../ports/tenant-databases.port.js';
import { ownerRoleOf, quoteSchoolDatabase } from './school-database-name.js';
import { codeOf, type ServerSessions } from './server-sessions.js';

/**
 * Each school database's own login role (`<database>_owner`): made and given the database, its password,
 * whether it may log in, and its grants inside the database. Callers check the names first.
 */
export class OwnerRoles {
  constructor(private readonly sessions: ServerSessions) {}

  /** The part on the server: the owner's role (made or its password set) owns the database, alone. */
  async own(databaseName: string, owner: DatabaseOwner): Promise<void> {
    const name = quoteSchoolDatabase(databaseName);
    const role = pg.escapeIdentifier(owner.role);
    await this.sessions.withServer(async (server) => {
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

  /** The part inside the school database, through `client` (a session on it), once the role exists. */
  async grantIn(client: pg.ClientBase, owner: DatabaseOwner): Promise<void> {
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

  async setPassword(owner: DatabaseOwner): Promise<{ changed: boolean }> {
    const role = pg.escapeIdentifier(owner.role);
    return this.sessions.withServer(async (server) => {
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

  async setLogin(databaseName: string, allowed: boolean): Promise<{ terminated: number; roleExists: boolean }> {
    const owner = ownerRoleOf(databaseName);
    const role = pg.escapeIdentifier(owner);
    return this.sessions.withServer(async (server) => {
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

  /** Drops the owner role, on `server`, once its database is gone (it owns nothing else); an absent one is fine. */
  async dropOn(server: pg.ClientBase, databaseName: string): Promise<void> {
    await server.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(ownerRoleOf(databaseName))}`);
  }
}
