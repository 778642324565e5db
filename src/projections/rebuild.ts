import type { EventStore, GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';
import { catchUp } from './catch-up.js';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { ofProjection, shadowTables, sharedStreamPrefix, type Projection, type Tables } from './projection.js';
import { inTransaction, rowsOf, type Queryable, type ReadPool } from './queryable.js';
import { createShadow, swapInShadows, type ShadowIndexes } from './shadow-tables.js';
import { recordError, recordState } from './status.js';
import { immediateWrites } from './writes.js';

export interface RebuildProgress {
  events: number;
  position: GlobalPosition;
}

/** What one rebuild's fill and swaps share. */
interface Run {
  store: EventStore;
  pool: ReadPool;
  shadows: ReadonlyMap<Projection, Tables>;
  /** The stream prefix the fill reads with (shared by the projections, or none). */
  prefix: string | undefined;
  progress: (page: RecordedEvent[], position: GlobalPosition) => void;
}

/**
 * Rebuilds one projection online: fills shadow tables from the first event while the live projection
 * carries on, then, holding the projection's checkpoint row (which every live batch takes first),
 * catches up to the head, swaps the shadows in and saves the checkpoint, all in one transaction. Readers
 * see the old tables until the commit and the new ones after it, never partial data; other projections
 * are not touched.
 */
export async function rebuildProjection(
  projection: Projection,
  store: EventStore,
  pool: ReadPool,
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ events: number }> {
  return rebuildProjections([projection], store, pool, onProgress);
}

/**
 * Rebuilds several projections as `rebuildProjection` does each, reading the store once for all of
 * them: every page fills each one's shadow tables (in a transaction per projection, all at once); then
 * each catches up and swaps in its own transaction. `events` counts the events read (those of any of
 * their stream prefixes).
 */
export async function rebuildProjections(
  projections: readonly Projection[],
  store: EventStore,
  pool: ReadPool,
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ events: number }> {
  let events = 0;
  const run: Run = {
    store,
    pool,
    shadows: new Map(projections.map((p) => [p, shadowTables(p)])),
    prefix: sharedStreamPrefix(projections),
    progress: (page, position) => {
      events += page.length;
      onProgress?.({ events, position });
    },
  };
  for (const p of projections) await recordState(pool, p.name, 'rebuilding');
  // The shadow pages commit asynchronously: a restart of the server may lose the last of them while this
  // process goes on with new connections. Each swap checks that the server is the one the fill began on.
  const startedOn = await serverStart(pool);
  try {
    const indexes = await createShadows(run, projections);
    const filled = await fill(run, projections);
    // Indexes other than the keys are built once over the filled tables, not kept up row by row.
    for (const shadow of indexes.values()) for (const sql of shadow.deferred) await pool.query(sql);
    for (const p of projections) await swap(run, p, { filled, startedOn, indexes });
    return { events };
  } catch (error) {
    for (const p of projections) {
      await recordError(pool, p.name, `rebuild failed: ${(error as Error).message}`).catch(() => undefined);
      await recordState(pool, p.name, 'live').catch(() => undefined);
    }
    throw error;
  }
}

/** Every table's shadow, created empty; their indexes to build and to rename, by live table. */
async function createShadows(run: Run, projections: readonly Projection[]): Promise<Map<string, ShadowIndexes>> {
  const indexes = new Map<string, ShadowIndexes>();
  for (const p of projections) {
    for (const table of p.tables) indexes.set(table, await createShadow(run.pool, table, run.shadows.get(p)![table]));
  }
  return indexes;
}

/** Writes every event into the shadows; returns the last position written. */
function fill(run: Run, projections: readonly Projection[]): Promise<GlobalPosition | undefined> {
  // A transaction per page: a long one would hold back the PostgreSQL store's horizon for everyone.
  // Each projection's page in a transaction of its own, all at once: one folds while another's rows
  // are written (in one transaction, each waited for the one before it).
  const writePage = async (page: RecordedEvent[]) => {
    const written = projections.map((p) =>
      inTransaction(run.pool, async (client) => {
        // Shadow rows: a crash before the swap leaves a rebuild to start again, whatever was flushed.
        await client.query('SET LOCAL synchronous_commit = off');
        await applyPage(run, client, p, page);
      }),
    );
    // Every one settled before a failure is reported: none is left writing behind the error.
    const failed = (await Promise.allSettled(written)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return catchUp(run.store, undefined, run.prefix, writePage, run.progress);
}

/**
 * One transaction holding the projection's checkpoint row: catches up from where the fill ended to the
 * head, swaps the shadows in and saves the checkpoint.
 */
async function swap(
  run: Run,
  p: Projection,
  at: { filled: GlobalPosition | undefined; startedOn: string; indexes: ReadonlyMap<string, ShadowIndexes> },
): Promise<void> {
  await inTransaction(run.pool, async (client) => {
    const now = await serverStart(client);
    if (now !== at.startedOn)
      throw new Error(
        `the database server restarted during the rebuild (started ${at.startedOn}, now ${now}): shadow pages ` +
          'committed asynchronously may be lost; nothing was swapped, run the rebuild again',
      );
    await lockCheckpoint(client, p.name);
    const write = (page: RecordedEvent[]) => applyPage(run, client, p, page);
    const head = await catchUp(run.store, at.filled, p.streamPrefix, write, run.progress);
    await swapInShadows(client, p.tables, run.shadows.get(p)!, at.indexes);
    // Caught up under the lock, the rebuilt position is the head: the live projection resumes from it.
    if (head) await saveCheckpoint(client, p.name, head);
    await recordState(client, p.name, 'live');
  });
}

/** The projection's events of `page` applied to its shadows, each write sent at once. */
async function applyPage(run: Run, db: Queryable, p: Projection, page: RecordedEvent[]): Promise<void> {
  const events = ofProjection(p, page, run.prefix);
  if (events.length > 0)
    await p.apply(db, run.shadows.get(p)!, events, { store: run.store, writes: immediateWrites(db) });
}

/** When the server was started: it changes with every restart (a crash included) and every failover. */
async function serverStart(db: Queryable): Promise<string> {
  const [row] = await rowsOf<{ t: string }>(db, 'SELECT pg_postmaster_start_time()::text AS t');
  return row.t;
}
