import type pg from 'pg';
import type { GlobalPosition, ReadAllOptions, RecordedEvent } from '../../../ports/event-store.port.js';
import { COLUMNS, toEvent, type EventRow } from './event-rows.js';
import { PlannerStatistics } from './planner-statistics.js';
import { unavailable } from './postgres-errors.js';
import { readPageStatement } from './read-page-statement.js';
import { HORIZON } from './transaction-horizon.js';

/** A page of the whole log, and whether committed events of its prefix wait above the horizon. */
export interface LogPage {
  events: RecordedEvent[];
  held: boolean;
}

/** The store's reads: one stream, the whole log below the transaction horizon, and its head. One statement each. */
export class PostgresEventReader {
  private readonly statistics: PlannerStatistics;

  constructor(private readonly pool: pg.Pool) {
    this.statistics = new PlannerStatistics(pool);
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]> {
    const rows = await this.pool
      .query<EventRow>(
        `SELECT ${COLUMNS} FROM scs_events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
        [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
      )
      .catch((error: unknown) => {
        throw unavailable(`read ${streamId}`, error);
      });
    return rows.rows.map(toEvent);
  }

  /**
   * What `readAll` returns and, when `withHeld`, whether committed events of the prefix wait above the
   * horizon (an older transaction of this database is still open, and its end notifies nobody),
   * answered by the same statement, so from the same snapshot as the page.
   */
  async readPage(options: ReadAllOptions, withHeld: boolean): Promise<LogPage> {
    if (options.streamPrefix !== undefined) await this.statistics.ensureFresh();
    const { text, params } = readPageStatement(options, withHeld);
    const rows = await this.pool.query<EventRow & { held?: boolean }>(text, params).catch((error: unknown) => {
      throw unavailable('read all', error);
    });
    return {
      events: rows.rows.filter((r) => r.event_id !== null).map(toEvent),
      held: rows.rows[0]?.held === true,
    };
  }

  /** The last event below the transaction horizon: what `readAll` and the subscriptions can see. */
  async headPosition(): Promise<GlobalPosition | undefined> {
    const rows = await this.pool
      .query<{ c: string; p: string }>(
        `SELECT transaction_id::text AS c, global_position::text AS p FROM scs_events
       WHERE transaction_id < ${HORIZON}
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      )
      .catch((error: unknown) => {
        throw unavailable('read the head position', error);
      });
    const row = rows.rows[0];
    return row && { commit: BigInt(row.c), prepare: BigInt(row.p) };
  }
}
