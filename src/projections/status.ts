import { comparePositions, type EventStore, type GlobalPosition } from '../ports/event-store.port.js';
import { formatPosition, loadCheckpoint } from './checkpoints.js';
import type { Projection } from './projection.js';
import { rowsOf, type Queryable } from './queryable.js';

export type ProjectionState = 'live' | 'rebuilding';

export interface ProjectionStatus {
  name: string;
  /** The last event applied, as `commit/prepare` (null before the first). */
  position: string | null;
  /** Events of its streams behind the store's head (counted up to `LAG_CAP`; `lagCapped` beyond). */
  lag: number;
  lagCapped: boolean;
  state: ProjectionState;
  lastError: string | null;
  updatedAt: string | null;
}

const LAG_CAP = 10_000;

export async function recordState(db: Queryable, name: string, state: ProjectionState): Promise<void> {
  await db.query(
    `INSERT INTO scs_projections (name, state, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
    [name, state],
  );
}

export async function recordError(db: Queryable, name: string, error: string): Promise<void> {
  await db.query(
    `INSERT INTO scs_projections (name, state, last_error, updated_at) VALUES ($1, 'live', $2, now())
     ON CONFLICT (name) DO UPDATE SET last_error = EXCLUDED.last_error, updated_at = now()`,
    [name, error.slice(0, 1000)],
  );
}

/** Every registered projection: where it is, how far behind the head of the store, its state. */
export async function projectionStatuses(
  projections: readonly Projection[],
  store: EventStore,
  db: Queryable,
): Promise<ProjectionStatus[]> {
  type Row = { name: string; state: ProjectionState; last_error: string | null; updated_at: Date };
  const rows = await rowsOf<Row>(db, 'SELECT name, state, last_error, updated_at FROM scs_projections');
  const head = await store.headPosition();
  return Promise.all(
    projections.map(async (p) => {
      const row = rows.find((r) => r.name === p.name);
      const position = await loadCheckpoint(db, p.name);
      const lag = await countBehind(store, position, head, p.streamPrefix);
      return {
        name: p.name,
        position: formatPosition(position),
        lag: lag.count,
        lagCapped: lag.capped,
        state: row?.state ?? 'live',
        lastError: row?.last_error ?? null,
        updatedAt: row?.updated_at?.toISOString() ?? null,
      };
    }),
  );
}

/** Events after `position` up to `head`, counted through the port (so on either store), up to a cap. */
async function countBehind(
  store: EventStore,
  position: GlobalPosition | undefined,
  head: GlobalPosition | undefined,
  streamPrefix: string | undefined,
): Promise<{ count: number; capped: boolean }> {
  if (!head || (position && comparePositions(position, head) >= 0)) return { count: 0, capped: false };
  let count = 0;
  let cursor = position;
  while (count < LAG_CAP) {
    const page = await store.readAll({ after: cursor, maxCount: 1000, streamPrefix });
    const upToHead = page.filter((e) => comparePositions(e.position, head) <= 0);
    count += upToHead.length;
    if (upToHead.length < page.length || page.length < 1000) return { count, capped: false };
    cursor = page[page.length - 1].position;
  }
  return { count, capped: true };
}
