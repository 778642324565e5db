import pg from 'pg';
import { comparePositions, type GlobalPosition, type RecordedEvent } from '../ports/event-store.port.js';
import { rowsOf, type Queryable } from './queryable.js';
import type { Write } from './writes.js';

const SELECT = 'SELECT commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints WHERE name = $1';

/**
 * Locks a projection's checkpoint row for the rest of the transaction and returns it. Every write of a
 * projection's rows takes this lock first, so a batch and a rebuild's swap never interleave.
 */
export async function lockCheckpoint(db: Queryable, name: string): Promise<GlobalPosition | undefined> {
  return (await lockCheckpoints(db, [name])).get(name);
}

export async function loadCheckpoint(db: Queryable, name: string): Promise<GlobalPosition | undefined> {
  return toPosition((await rowsOf<{ c: string; p: string }>(db, SELECT, [name]))[0]);
}

export async function saveCheckpoint(db: Queryable, name: string, position: GlobalPosition): Promise<void> {
  await saveCheckpoints(db, [[name, position]]);
}

/** The events strictly after `checkpoint` (a redelivered or already rebuilt event is dropped). */
export function after(events: RecordedEvent[], checkpoint: GlobalPosition | undefined): RecordedEvent[] {
  return checkpoint ? events.filter((e) => comparePositions(e.position, checkpoint) > 0) : events;
}

function toPosition(row: { c: string; p: string } | undefined): GlobalPosition | undefined {
  if (!row || row.c === '-1') return undefined;
  return { commit: BigInt(row.c), prepare: BigInt(row.p) };
}

export function formatPosition(position: GlobalPosition | undefined): string | null {
  return position ? `${position.commit}/${position.prepare}` : null;
}

/**
 * `lockCheckpoint` for several projections in one round trip (rows locked in name order, so two callers
 * never deadlock). A row exists after a projection's first batch: one round trip then, three only the
 * first time.
 */
async function lockCheckpoints(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, GlobalPosition | undefined>> {
  const select = `SELECT name, commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints
    WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`;
  let rows = await rowsOf<{ name: string; c: string; p: string }>(db, select, [names]);
  if (rows.length < names.length) {
    await db.query(
      `INSERT INTO scs_checkpoints (name, commit_position, prepare_position)
       SELECT n, -1, -1 FROM unnest($1::text[]) AS n ORDER BY n ON CONFLICT (name) DO NOTHING`,
      [names],
    );
    rows = await rowsOf<{ name: string; c: string; p: string }>(db, select, [names]);
  }
  return new Map(rows.map((row) => [row.name, toPosition(row)]));
}

/**
 * `BEGIN` and `lockCheckpoints` in one round trip: one simple query of both statements, the names as
 * literals. Rows still missing (a projection's first batch) are made and locked by `lockCheckpoints`.
 *
 * The batch commits synchronously (not `synchronous_commit = off`): the lane outlives a crash of the
 * database and reads on from where its subscription was, so a batch lost after its COMMIT returned would
 * never be applied again.
 */
export async function beginWithCheckpointsLocked(
  connection: Queryable,
  names: readonly string[],
): Promise<Map<string, GlobalPosition | undefined>> {
  const list = names.map((name) => pg.escapeLiteral(name)).join(', ');
  // No parameters: sent as a simple query, which may hold several statements (pg answers one result each).
  const results = (await connection.query(
    `BEGIN;
     SELECT name, commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints
      WHERE name = ANY(ARRAY[${list}]::text[]) ORDER BY name FOR UPDATE`,
  )) as unknown as [unknown, { rows: Array<{ name: string; c: string; p: string }> }];
  const rows = results[1].rows;
  if (rows.length < names.length) return lockCheckpoints(connection, names);
  return new Map(rows.map((row) => [row.name, toPosition(row)]));
}

/** `saveCheckpoint` for several projections in one statement. */
async function saveCheckpoints(
  db: Queryable,
  positions: ReadonlyArray<readonly [string, GlobalPosition]>,
): Promise<void> {
  if (positions.length === 0) return;
  const { text, params } = checkpointsWrite(positions);
  await db.query(text, params);
}

/** The statement of `saveCheckpoints`, as a write that may go out with a batch's other writes. */
export function checkpointsWrite(positions: ReadonlyArray<readonly [string, GlobalPosition]>): Write {
  return {
    table: 'scs_checkpoints',
    text: `INSERT INTO scs_checkpoints (name, commit_position, prepare_position, updated_at)
     SELECT n, c, p, now() FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u(n, c, p) ORDER BY n
     ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position,
       prepare_position = EXCLUDED.prepare_position, updated_at = now()`,
    params: [
      positions.map(([name]) => name),
      positions.map(([, position]) => position.commit.toString()),
      positions.map(([, position]) => position.prepare.toString()),
    ],
  };
}
