import type { Queryable } from './queryable.js';

/** A statement of a projection whose answer it does not read: an insert or update of its rows. */
export interface Write {
  /** The one table it writes (statements on distinct tables can go out as one). */
  table: string;
  text: string;
  params: unknown[];
}

/** Where a projection puts its writes: sent at once (`immediateWrites`), or gathered (`GatheredWrites`). */
export interface Writes {
  add(write: Write): Promise<void> | void;
}

/** Each write sent as it comes, in the caller's transaction: rebuilds, and the lane's retry that names a culprit. */
export function immediateWrites(db: Queryable): Writes {
  return {
    add: async ({ text, params }) => {
      await db.query(text, params);
    },
  };
}

/** `$n` placeholders of `text` moved up by `offset`, so that several statements share one parameter list. */
function renumbered(text: string, offset: number): string {
  return offset === 0 ? text : text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/**
 * Writes gathered through a batch, sent after the batch's reads with as few round trips as PostgreSQL
 * allows: the writes of distinct tables as one statement, each a data-modifying `WITH` part (they all
 * see the statement's snapshot, so two writes of one table go in separate statements, in their order).
 */
export class GatheredWrites implements Writes {
  private readonly writes: Write[] = [];

  add(write: Write): void {
    this.writes.push(write);
  }

  /** The gathered writes as statements to run in order (none when nothing was written). */
  statements(): Array<{ text: string; params: unknown[] }> {
    const groups: Write[][] = [];
    for (const write of this.writes) {
      const group = groups[groups.length - 1];
      if (group && !group.some((w) => w.table === write.table)) group.push(write);
      else groups.push([write]);
    }
    return groups.map((group) => {
      if (group.length === 1) return { text: group[0].text, params: group[0].params };
      const params: unknown[] = [];
      const parts = group.map((write, i) => {
        const text = renumbered(write.text, params.length);
        params.push(...write.params);
        return `w${i} AS (${text})`;
      });
      return { text: `WITH ${parts.join(',\n')}\nSELECT 1`, params };
    });
  }
}
