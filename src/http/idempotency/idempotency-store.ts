import type pg from 'pg';

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; response: unknown; location: string | null }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

const TTL = '24 hours';

/** Remembers the first answer to each (API key, Idempotency-Key) in the central database. */
export class IdempotencyStore {
  constructor(private readonly pool: pg.Pool) {}

  async claim(actor: string, key: string, requestHash: string): Promise<Claim> {
    // An expired key is forgotten first, so that it can be used again; so is a request left unanswered
    // for a minute (its process died mid-request), so that the client's retry is not refused forever.
    await this.pool.query(
      `DELETE FROM scs_idempotency_keys WHERE actor = $1 AND idempotency_key = $2
         AND (created_at < now() - interval '${TTL}' OR (status IS NULL AND created_at < now() - interval '60 seconds'))`,
      [actor, key],
    );
    const inserted = await this.pool.query(
      `INSERT INTO scs_idempotency_keys (actor, idempotency_key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [actor, key, requestHash],
    );
    if (inserted.rowCount === 1) return { kind: 'new' };
    const rows = await this.pool.query<{
      request_hash: string;
      status: number | null;
      response: unknown;
      location: string | null;
    }>(
      'SELECT request_hash, status, response, location FROM scs_idempotency_keys WHERE actor = $1 AND idempotency_key = $2',
      [actor, key],
    );
    const row = rows.rows[0];
    if (!row) return this.claim(actor, key, requestHash); // expired and deleted meanwhile
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'in_progress' };
    return { kind: 'replay', status: row.status, response: row.response, location: row.location };
  }

  async complete(
    actor: string,
    key: string,
    status: number,
    response: unknown,
    location: string | null,
  ): Promise<void> {
    await this.pool.query(
      'UPDATE scs_idempotency_keys SET status = $3, response = $4, location = $5 WHERE actor = $1 AND idempotency_key = $2',
      [actor, key, status, JSON.stringify(response ?? null), location],
    );
  }

  /** A request that failed on our side (5xx) leaves no answer behind: the client may retry it. */
  async release(actor: string, key: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM scs_idempotency_keys WHERE actor = $1 AND idempotency_key = $2 AND status IS NULL',
      [actor, key],
    );
  }

  async purgeExpired(): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM scs_idempotency_keys WHERE created_at < now() - interval '${TTL}'`,
    );
    return result.rowCount ?? 0;
  }
}
