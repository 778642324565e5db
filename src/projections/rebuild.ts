import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, GlobalPosition } from '../application/ports/event-store.port.js';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { shadowTables, type Projection } from './projection.js';
import { recordError, recordState } from './status.js';

const PAGE = 1000;

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
  const shadows = shadowTables(projection);
  await recordState(dataSource.manager, projection.name, 'rebuilding');
  try {
    for (const table of projection.tables) {
      await dataSource.query(`DROP TABLE IF EXISTS ${shadows[table]}`);
      await dataSource.query(`CREATE TABLE ${shadows[table]} (LIKE ${table} INCLUDING ALL)`);
    }
    let position: GlobalPosition | undefined;
    let events = 0;
    const context = { store };
    // The next page is read while the current one is written: the store and the tables work at once.
    const read = (after: GlobalPosition | undefined) => {
      const page = store.readAll({ after, maxCount: PAGE, streamPrefix: projection.streamPrefix });
      page.catch(() => undefined); // awaited below, unless writing the current page failed first
      return page;
    };
    const catchUp = async (write: (work: (m: EntityManager) => Promise<void>) => Promise<void>): Promise<void> => {
      for (let next = read(position); ;) {
        const page = await next;
        if (page.length === 0) return;
        const last = page[page.length - 1].position;
        next = read(last);
        await write((manager) => projection.apply(manager, shadows, page, context));
        position = last;
        events += page.length;
        onProgress?.({ events, position });
      }
    };
    // A transaction per page: a long one would hold back the PostgreSQL store's horizon for everyone.
    await catchUp((work) => dataSource.transaction(work));
    await dataSource.transaction(async (manager) => {
      await lockCheckpoint(manager, projection.name);
      await catchUp((work) => work(manager));
      for (const table of projection.tables) {
        await manager.query(`DROP TABLE ${table}`);
        await manager.query(`ALTER TABLE ${shadows[table]} RENAME TO ${table}`);
      }
      // Caught up under the lock, the rebuilt position is the head: the live projection resumes from it.
      if (position) await saveCheckpoint(manager, projection.name, position);
      await recordState(manager, projection.name, 'live');
    });
    return { events };
  } catch (error) {
    await recordError(dataSource.manager, projection.name, `rebuild failed: ${(error as Error).message}`).catch(
      () => undefined,
    );
    await recordState(dataSource.manager, projection.name, 'live').catch(() => undefined);
    throw error;
  }
}
