import pg from 'pg';
import type { DatabaseDeadlines } from '../../../config/config.js';
import { guardPool } from '../../postgres/connection-faults.js';
import { centralPoolOptions } from '../../postgres/deadlines.js';
import type { Locks } from '../../../ports/locks.port.js';

/**
 * Locks as PostgreSQL session advisory locks, each held on its own connection: if the process dies,
 * the server ends the session and the lock passes to another replica.
 */
export class AdvisoryLocks implements Locks {
  private readonly pool: pg.Pool;

  constructor(connectionString: string, max: number, deadlines: DatabaseDeadlines) {
    // A dropped connection holds no lock; guarded, so that it cannot end the process either.
    this.pool = guardPool(new pg.Pool({ connectionString, max, ...centralPoolOptions(deadlines) }), 'locks');
  }

  async tryLock(name: string): Promise<{ release(): Promise<void> } | undefined> {
    const client = await this.pool.connect();
    // A held lock's connection can drop (the server restarts): that must not crash the process; the
    // lock is gone with the session, and release() then only returns the broken client.
    const onError = () => undefined;
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [`scs:${name}`],
      );
      if (!rows[0].locked) {
        client.off('error', onError);
        client.release();
        return undefined;
      }
    } catch (error) {
      client.off('error', onError);
      client.release(true);
      throw error;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`scs:${name}`]);
          client.off('error', onError);
          client.release();
        } catch {
          client.off('error', onError);
          client.release(true); // the session is gone, and its lock with it
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
