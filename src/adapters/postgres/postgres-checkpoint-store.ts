import type pg from 'pg';
import type { CheckpointStore } from '../../ports/checkpoint-store.port.js';
import type { GlobalPosition } from '../../ports/event-store.port.js';

/**
 * Subscriber positions in `scs_checkpoints`. `save` takes an optional client so that a projection
 * stores its checkpoint in the same transaction as its rows. A row at -1 (written by a projection to
 * lock its checkpoint before it has one) means "from the first event".
 */
export class PostgresCheckpointStore implements CheckpointStore {
  constructor(private readonly pool: pg.Pool) {}

  async load(name: string): Promise<GlobalPosition | undefined> {
    const { rows } = await this.pool.query<{ c: string; p: string }>(
      'SELECT commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints WHERE name = $1',
      [name],
    );
    const row = rows[0];
    if (!row || row.c === '-1') return undefined;
    return { commit: BigInt(row.c), prepare: BigInt(row.p) };
  }

  async save(name: string, position: GlobalPosition, client: pg.ClientBase | pg.Pool = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO scs_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (name) DO UPDATE
       SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position, updated_at = now()`,
      [name, position.commit.toString(), position.prepare.toString()],
    );
  }
}
