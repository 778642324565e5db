import type pg from 'pg';

const CHECK_INTERVAL_MS = 60_000;

/**
 * Keeps the planner statistics of `scs_events` fresh enough for prefix reads: analyzes the table when
 * they are missing or stale (a store just filled or restored, before autovacuum's turn). Without them
 * the planner guesses that a stream prefix matches 0.5% of the events and, for each page, sorts every
 * event after the position instead of walking the (transaction id, sequence) index: a rebuild's pages
 * then cost O(events) each (7,600 events/s for 200k events, 40,000+ with statistics). Looked at once a
 * minute; a role that may not analyze is ignored.
 */
export class PlannerStatistics {
  private checkedAt = -Infinity;

  constructor(private readonly pool: pg.Pool) {}

  async ensureFresh(): Promise<void> {
    if (Date.now() < this.checkedAt + CHECK_INTERVAL_MS) return;
    this.checkedAt = Date.now();
    const stale = await this.pool
      .query<{ stale: boolean }>(
        // reltuples is -1 until the table is first analyzed (or vacuumed).
        `SELECT c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > 1000 + 0.2 * c.reltuples AS stale
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'scs_events'::regclass`,
      )
      .then((r) => r.rows[0]?.stale === true)
      .catch(() => false);
    if (stale) await this.analyze().catch(() => undefined);
  }

  /** ANALYZE, unless a VACUUM (autovacuum's) holds the table: then it gives up rather than make readers wait. */
  private async analyze(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '200ms'`);
      await client.query('ANALYZE scs_events');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
