import type { EventStore, RecordedEvent } from '../ports/event-store.port.js';
import type { Queryable } from './queryable.js';
import type { Writes } from './writes.js';

/** The table names a projection writes in one run: its own tables, or their shadows during a rebuild. */
export type Tables = Readonly<Record<string, string>>;

interface ProjectionContext {
  /** For a projection that must read a stream (the read model refolds a row it cannot read). */
  store: EventStore;
  /**
   * Where its inserts and updates go: the runner sends a batch's writes together, with the checkpoints,
   * after every read of the batch (so a projection reads with `db` and never reads back its writes).
   */
  writes: Writes;
}

/**
 * One projection: a pure view (events → rows, in the projection's own folder) plus this shell, which
 * writes a batch of events into its tables (reads through `db`, writes through `context.writes`).
 * The runner gives it its tables' names, locks its checkpoint,
 * drops events at or before it and saves the new one in the same transaction; a rebuild gives it shadow
 * tables. Event types it does not know (another engineer's, a newer version's) are ignored, never fatal.
 */
export interface Projection {
  readonly name: string;
  /** Its tables (created by a central migration); each is rebuilt as `<table>_rebuild` and swapped in. */
  readonly tables: readonly string[];
  /** Only streams with this prefix are read (e.g. `school-`). */
  readonly streamPrefix?: string;
  apply(db: Queryable, tables: Tables, events: RecordedEvent[], context: ProjectionContext): Promise<void>;
  /** True when the stored rows are of a shape this version cannot read: the runner rebuilds it first. */
  needsRebuild?(db: Queryable): Promise<boolean>;
}

export function liveTables(projection: Projection): Tables {
  return Object.fromEntries(projection.tables.map((t) => [t, t]));
}

export function shadowTables(projection: Projection): Tables {
  return Object.fromEntries(projection.tables.map((t) => [t, `${t}_rebuild`]));
}

/**
 * The stream prefix to read for several projections at once: theirs when they share one (all of today's
 * are `school-`), else none (everything is read and each keeps its own, `ofProjection`).
 */
export function sharedStreamPrefix(projections: readonly Projection[]): string | undefined {
  const prefixes = new Set(projections.map((p) => p.streamPrefix));
  return prefixes.size === 1 ? projections[0].streamPrefix : undefined;
}

/** The events of `read` (read with prefix `readPrefix`) that are `projection`'s. */
export function ofProjection(projection: Projection, read: RecordedEvent[], readPrefix: string | undefined) {
  if (projection.streamPrefix === readPrefix) return read;
  return read.filter((e) => e.streamId.startsWith(projection.streamPrefix ?? ''));
}
