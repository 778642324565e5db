import type { ReadAllOptions } from '../../../ports/event-store.port.js';
import { COLUMNS } from './event-rows.js';
import { HORIZON } from './transaction-horizon.js';

/**
 * The statement of `readAll` and of a subscription's look (`withHeld`: whether committed events of the
 * prefix wait above the horizon, from the same snapshot as the page). Exported for the plan's test.
 */
export function readPageStatement(options: ReadAllOptions, withHeld: boolean): { text: string; params: unknown[] } {
  const params: unknown[] = [options.maxCount ?? 1000];
  const where = [`transaction_id < ${HORIZON}`];
  if (options.after) {
    params.push(options.after.commit.toString(), options.after.prepare.toString());
    where.push(`(transaction_id, global_position) > ($${params.length - 1}::text::xid8, $${params.length}::bigint)`);
  }
  let ofPrefix = '';
  if (options.streamPrefix !== undefined) {
    params.push(options.streamPrefix);
    ofPrefix = ` AND starts_with(stream_id, $${params.length}::text)`;
  }
  const page = `SELECT ${COLUMNS} FROM scs_events WHERE ${where.join(' AND ')}${ofPrefix}
    ORDER BY transaction_id, global_position LIMIT $1`;
  // Not EXISTS: with a horizon the planner cannot know before running, EXISTS scans the whole table
  // for a row that is rarely there (a look per subscription per append, O(events) each); the first
  // row in index order is one probe.
  const held = `SELECT (SELECT transaction_id FROM scs_events WHERE transaction_id >= ${HORIZON}${ofPrefix}
    ORDER BY transaction_id LIMIT 1) IS NOT NULL AS held`;
  if (!withHeld) return { text: page, params };
  // The page and the probe below one horizon, worked out (and planned) once.
  const once = (sql: string) => sql.replaceAll(HORIZON, '(SELECT x FROM horizon)');
  const text = `WITH horizon AS MATERIALIZED (SELECT ${HORIZON} AS x)
    SELECT h.held, p.* FROM (${once(held)}) h LEFT JOIN LATERAL (${once(page)}) p ON true`;
  return { text, params };
}
