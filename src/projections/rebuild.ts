import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, GlobalPosition, RecordedEvent } from '../application/ports/event-store.port.js';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { ofProjection, shadowTables, sharedStreamPrefix, type Projection, type Tables } from './projection.js';
import { recordError, recordState } from './status.js';
import { immediateWrites } from './writes.js';

// Events per page: a school's row is written once per page it appears in, so bigger pages write it less
// often (measured: 1,000 → 4,000 took the read model from 37-39k to 44-50k events/s; 8,000 no better).
// Two pages are in memory at most (one read ahead), whatever the number of events.
const PAGE = 4000;

export interface RebuildProgress {
  events: number;
  position: GlobalPosition;
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
  dataSource: DataSource,
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ events: number }> {
  return rebuildProjections([projection], store, dataSource, onProgress);
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
  dataSource: DataSource,
  onProgress?: (progress: RebuildProgress) => void,
): Promise<{ events: number }> {
  const shadows = new Map(projections.map((p) => [p, shadowTables(p)]));
  const prefix = sharedStreamPrefix(projections);
  const applyAll = async (manager: EntityManager, chosen: readonly Projection[], page: RecordedEvent[]) => {
    const context = { store, writes: immediateWrites(manager) };
    for (const p of chosen) {
      const events = ofProjection(p, page, prefix);
      if (events.length > 0) await p.apply(manager, shadows.get(p) as Tables, events, context);
    }
  };
  let events = 0;
  const progress = (page: RecordedEvent[], position: GlobalPosition) => {
    events += page.length;
    onProgress?.({ events, position });
  };
  for (const p of projections) await recordState(dataSource.manager, p.name, 'rebuilding');
  // The shadow pages commit asynchronously: a restart of the server may lose the last of them while this
  // process goes on with new connections. Each swap checks that the server is the one the fill began on.
  const startedOn = await serverStart(dataSource.manager);
  const indexes = new Map<string, ShadowIndexes>();
  try {
    for (const p of projections) {
      for (const table of p.tables) {
        const shadow = (shadows.get(p) as Tables)[table];
        indexes.set(table, await createShadow(dataSource, table, shadow));
      }
    }
    // A transaction per page: a long one would hold back the PostgreSQL store's horizon for everyone.
    const filled = await catchUp(
      store,
      undefined,
      prefix,
      // Each projection's page in a transaction of its own, all at once: one folds while another's rows
      // are written (in one transaction, each waited for the one before it).
      async (page) => {
        const written = projections.map((p) =>
          dataSource.transaction(async (m) => {
            // Shadow rows: a crash before the swap leaves a rebuild to start again, whatever was flushed.
            await m.query('SET LOCAL synchronous_commit = off');
            await applyAll(m, [p], page);
          }),
        );
        // Every one settled before a failure is reported: none is left writing behind the error.
        const failed = (await Promise.allSettled(written)).find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      },
      progress,
    );
    // Indexes other than the keys are built once over the filled tables, not kept up row by row.
    for (const shadow of indexes.values()) for (const sql of shadow.deferred) await dataSource.query(sql);
    for (const p of projections) {
      await dataSource.transaction(async (manager) => {
        const now = await serverStart(manager);
        if (now !== startedOn)
          throw new Error(
            `the database server restarted during the rebuild (started ${startedOn}, now ${now}): shadow pages ` +
              'committed asynchronously may be lost; nothing was swapped, run the rebuild again',
          );
        await lockCheckpoint(manager, p.name);
        const head = await catchUp(store, filled, p.streamPrefix, (page) => applyAll(manager, [p], page), progress);
        for (const table of p.tables) {
          await manager.query(`DROP TABLE ${table}`);
          await manager.query(`ALTER TABLE ${(shadows.get(p) as Tables)[table]} RENAME TO ${table}`);
          for (const sql of indexes.get(table)!.renames) await manager.query(sql);
        }
        // Caught up under the lock, the rebuilt position is the head: the live projection resumes from it.
        if (head) await saveCheckpoint(manager, p.name, head);
        await recordState(manager, p.name, 'live');
      });
    }
    return { events };
  } catch (error) {
    for (const p of projections) {
      await recordError(dataSource.manager, p.name, `rebuild failed: ${(error as Error).message}`).catch(
        () => undefined,
      );
      await recordState(dataSource.manager, p.name, 'live').catch(() => undefined);
    }
    throw error;
  }
}

/** When the server was started: it changes with every restart (a crash included) and every failover. */
async function serverStart(manager: EntityManager): Promise<string> {
  const [row] = (await manager.query('SELECT pg_postmaster_start_time()::text AS t')) as Array<{ t: string }>;
  return row.t;
}

interface ShadowIndexes {
  /** CREATE INDEX statements for the shadow's plain indexes, run once it is filled. */
  deferred: string[];
  /** After the swap: the shadow's indexes (and key constraints) take the names the live table's had. */
  renames: string[];
}

/**
 * Creates `shadow` as a copy of `table`'s definition with its keys (primary, unique, exclusion: what
 * ON CONFLICT needs) but without its other indexes, which are returned to be built over the filled table:
 * one sort per index instead of an index insertion per row written (the read model has six).
 */
async function createShadow(dataSource: DataSource, table: string, shadow: string): Promise<ShadowIndexes> {
  await dataSource.query(`DROP TABLE IF EXISTS ${shadow}`);
  await dataSource.query(`CREATE TABLE ${shadow} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
  const found: Array<{ name: string; definition: string; constraint: string | null }> = await dataSource.query(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition,
            (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conindid = x.indexrelid
               AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')) AS constraint
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass ORDER BY i.relname`,
    [table],
  );
  const deferred: string[] = [];
  const renames: string[] = [];
  for (const [n, index] of found.entries()) {
    const temporary = `${shadow}_${n}`;
    // pg_get_indexdef: CREATE [UNIQUE] INDEX <name> ON <schema>.<table> USING ...
    const unique = index.definition.startsWith('CREATE UNIQUE');
    const create = `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${temporary} ON ${shadow}${index.definition.slice(index.definition.indexOf(' USING '))}`;
    if (index.constraint)
      await dataSource.query(`ALTER TABLE ${shadow} ADD CONSTRAINT ${temporary} ${index.constraint}`);
    else if (unique) await dataSource.query(create);
    else deferred.push(create);
    renames.push(`ALTER INDEX ${temporary} RENAME TO "${index.name.replaceAll('"', '""')}"`);
  }
  return { deferred, renames };
}

/**
 * Reads every event after `from` page by page and writes each page; the next page is read while the
 * current one is written, so the store and the tables work at once. Returns the last position written.
 */
export async function catchUp(
  store: EventStore,
  from: GlobalPosition | undefined,
  streamPrefix: string | undefined,
  write: (page: RecordedEvent[]) => Promise<void>,
  onPage: (page: RecordedEvent[], position: GlobalPosition) => void,
): Promise<GlobalPosition | undefined> {
  const read = (after: GlobalPosition | undefined) => {
    const page = store.readAll({ after, maxCount: PAGE, streamPrefix });
    page.catch(() => undefined); // awaited below, unless writing the current page failed first
    return page;
  };
  let position = from;
  for (let next = read(position); ;) {
    const page = await next;
    if (page.length === 0) return position;
    const last = page[page.length - 1].position;
    next = read(last);
    await write(page);
    position = last;
    onPage(page, position);
  }
}
