import type pg from 'pg';

/**
 * What runs SQL for a projection or a report: the read side's pool (each statement on any free
 * connection), or one connection of it (every statement in that connection's transaction).
 */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** The read side's pool: plain statements, and a connection of its own for a transaction. */
export interface ReadPool extends Queryable {
  connect(): Promise<pg.PoolClient>;
}

/** The rows `text` answers. */
export async function rowsOf<Row extends pg.QueryResultRow>(
  db: Queryable,
  text: string,
  params?: unknown[],
): Promise<Row[]> {
  return (await db.query<Row>(text, params)).rows;
}

/**
 * Runs `work` on a connection of its own, which `work` opens a transaction on (`BEGIN`, alone or with
 * its first statements): committed when `work` resolves, rolled back when it throws.
 */
export async function committing<T>(pool: ReadPool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** `work` in one transaction on a connection of its own. */
export function inTransaction<T>(pool: ReadPool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return committing(pool, async (client) => {
    await client.query('BEGIN');
    return work(client);
  });
}
