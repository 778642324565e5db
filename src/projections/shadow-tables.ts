import type { Tables } from './projection.js';
import { rowsOf, type Queryable } from './queryable.js';

export interface ShadowIndexes {
  /** CREATE INDEX statements for the shadow's plain indexes, run once it is filled. */
  deferred: string[];
  /** After the swap: the shadow's indexes (and key constraints) take the names the live table's had. */
  renames: string[];
}

interface FoundIndex {
  name: string;
  definition: string;
  constraint: string | null;
}

/**
 * Creates `shadow` as a copy of `table`'s definition with its keys (primary, unique, exclusion: what
 * ON CONFLICT needs) but without its other indexes, which are returned to be built over the filled table:
 * one sort per index instead of an index insertion per row written (the read model has six).
 */
export async function createShadow(db: Queryable, table: string, shadow: string): Promise<ShadowIndexes> {
  await db.query(`DROP TABLE IF EXISTS ${shadow}`);
  await db.query(`CREATE TABLE ${shadow} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
  const found = await rowsOf<FoundIndex>(
    db,
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
    if (index.constraint) await db.query(`ALTER TABLE ${shadow} ADD CONSTRAINT ${temporary} ${index.constraint}`);
    else if (unique) await db.query(create);
    else deferred.push(create);
    renames.push(`ALTER INDEX ${temporary} RENAME TO "${index.name.replaceAll('"', '""')}"`);
  }
  return { deferred, renames };
}

/** Replaces each of `tables` by its shadow, whose indexes take the live table's names (in the caller's transaction). */
export async function swapInShadows(
  db: Queryable,
  tables: readonly string[],
  shadows: Tables,
  indexes: ReadonlyMap<string, ShadowIndexes>,
): Promise<void> {
  for (const table of tables) {
    await db.query(`DROP TABLE ${table}`);
    await db.query(`ALTER TABLE ${shadows[table]} RENAME TO ${table}`);
    for (const sql of indexes.get(table)!.renames) await db.query(sql);
  }
}
