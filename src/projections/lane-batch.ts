import type pg from 'pg';
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '../ports/event-store.port.js';
import { after, beginWithCheckpointsLocked, checkpointsWrite } from './checkpoints.js';
import { liveTables, ofProjection, type Projection } from './projection.js';
import { committing, type ReadPool } from './queryable.js';
import { GatheredWrites, immediateWrites, type Writes } from './writes.js';

/** A batch failed inside one projection's apply: that projection, not the lane, is at fault. */
export class ProjectionFailed extends Error {
  constructor(
    readonly projection: string,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/** The gathered writes of a batch failed: whose, the lane learns by sending them one by one. */
class GatheredWritesFailed extends Error {
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * A member's stored checkpoint is behind what this lane committed for it: a batch it saw committed is
 * gone (the database crashed before that commit reached the disk, or failed over to a standby that never
 * had it). Reading on from the subscription would skip those events for good: the lane starts again
 * from the stored checkpoints instead.
 */
class CheckpointBehind extends Error {
  constructor(name: string, stored: GlobalPosition | undefined, committed: GlobalPosition) {
    const at = (p: GlobalPosition | undefined) => (p ? `${p.commit}/${p.prepare}` : 'none');
    super(
      `the checkpoint of ${name} (${at(stored)}) is behind what it committed (${at(committed)}): a committed batch ` +
        'was lost with the database (a crash or a failover); applying those events again',
    );
  }
}

/** A batch of a lane: its members, what the lane saw committed for each, the events read. */
export interface LaneBatch {
  members: readonly Projection[];
  /** Per member, the position of the last batch the lane saw committed since it (re)started. */
  committed: ReadonlyMap<string, GlobalPosition>;
  store: EventStore;
  events: RecordedEvent[];
  /** The stream prefix the events were read with. */
  readPrefix: string | undefined;
}

/**
 * One batch in one transaction: the members' checkpoints locked (a rebuild's swap may have moved one
 * past these events: then it skips them), each member's events applied, the new checkpoints saved.
 * Round trips: `BEGIN` with the locks, the members' reads, their writes with the checkpoints as one
 * statement, `COMMIT`: six for four projections (eleven with each statement sent alone).
 * Returns each member's events applied (none for a member that had none after its checkpoint).
 */
export async function applyLaneBatch(pool: ReadPool, batch: LaneBatch): Promise<Map<string, RecordedEvent[]>> {
  try {
    return await committing(pool, (client) => apply(client, batch));
  } catch (error) {
    if (!(error instanceof GatheredWritesFailed)) throw error;
    // Sent together, the members' writes failed together: once more with each write sent alone, so
    // that a failing member is named (and leaves the lane) while the others go on.
    return committing(pool, (client) => apply(client, batch, immediateWrites(client)));
  }
}

/** Opens the batch's transaction (`BEGIN` with the locks) on `client`; the caller ends it. */
async function apply(
  client: pg.PoolClient,
  batch: LaneBatch,
  immediate?: Writes,
): Promise<Map<string, RecordedEvent[]>> {
  const names = batch.members.map((p) => p.name);
  const checkpoints = await beginWithCheckpointsLocked(client, names);
  for (const name of names) {
    const [stored, committed] = [checkpoints.get(name), batch.committed.get(name)];
    if (committed && (!stored || comparePositions(stored, committed) < 0))
      throw new CheckpointBehind(name, stored, committed);
  }
  const gathered = new GatheredWrites();
  const writes = immediate ?? gathered;
  const applied = new Map<string, RecordedEvent[]>();
  for (const projection of batch.members) {
    const fresh = ofProjection(projection, after(batch.events, checkpoints.get(projection.name)), batch.readPrefix);
    if (fresh.length === 0) continue;
    try {
      await projection.apply(client, liveTables(projection), fresh, { store: batch.store, writes });
    } catch (error) {
      throw new ProjectionFailed(projection.name, error);
    }
    applied.set(projection.name, fresh);
  }
  if (applied.size === 0) return applied;
  const positions = [...applied].map(([name, fresh]) => [name, fresh[fresh.length - 1].position] as const);
  await writes.add(checkpointsWrite(positions));
  for (const statement of gathered.statements()) {
    await client.query(statement.text, statement.params).catch((error: unknown) => {
      throw new GatheredWritesFailed(error);
    });
  }
  return applied;
}
