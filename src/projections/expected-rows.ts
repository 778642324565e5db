import { canonical, type RowMismatch } from '../audit/verify.js';
import { comparePositions, type EventStore, type GlobalPosition } from '../ports/event-store.port.js';
import { loadCheckpoint } from './checkpoints.js';
import { ofProjection, sharedStreamPrefix, type Projection, type Tables } from './projection.js';
import { rowsOf, type Queryable, type ReadPool } from './queryable.js';
import { catchUp } from './catch-up.js';
import { immediateWrites } from './writes.js';

/** Rows listed per table at most: a table wrong throughout says so in its first thousand. */
const LISTED = 1000;

type Row = Record<string, unknown>;

/**
 * Every row of the projections' tables compared, column by column (every column is derived from the
 * events), with the rows the events give: each projection's own `apply` folds the events up to its
 * checkpoint again into temporary copies of its tables, in one repeatable-read transaction that read the
 * checkpoints and reads the rows, so a projection still following the store is not a mismatch. Nothing
 * is written outside the transaction's temporary tables, and it is rolled back.
 */
export async function diffProjectionRows(
  projections: readonly Projection[],
  store: EventStore,
  pool: ReadPool,
): Promise<RowMismatch[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const checkpoints = new Map<Projection, GlobalPosition | undefined>();
    const expected = new Map<Projection, Tables>();
    for (const p of projections) {
      checkpoints.set(p, await loadCheckpoint(client, p.name));
      expected.set(p, Object.fromEntries(p.tables.map((t) => [t, `${t}_expected`])));
      for (const t of p.tables) await client.query(`CREATE TEMP TABLE ${t}_expected (LIKE ${t} INCLUDING ALL)`);
    }
    const prefix = sharedStreamPrefix(projections);
    const context = { store, writes: immediateWrites(client) };
    const fold = async (page: Parameters<Projection['apply']>[2]) => {
      for (const p of projections) {
        const checkpoint = checkpoints.get(p);
        const upTo = checkpoint ? ofProjection(p, page, prefix) : [];
        const events = upTo.filter((e) => comparePositions(e.position, checkpoint!) <= 0);
        if (events.length > 0) await p.apply(client, expected.get(p)!, events, context);
      }
    };
    await catchUp(store, undefined, prefix, fold, () => undefined);
    const mismatches: RowMismatch[] = [];
    for (const p of projections) {
      for (const table of p.tables) mismatches.push(...(await diffTable(client, table, expected.get(p)![table])));
    }
    return mismatches;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** The rows of `table` that differ from those of `expected`, matched on the primary key. */
async function diffTable(db: Queryable, table: string, expected: string): Promise<RowMismatch[]> {
  const keys = (
    await rowsOf<{ name: string }>(
      db,
      `SELECT a.attname AS name FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [table],
    )
  ).map((r) => r.name);
  const rows = await rowsOf<{ expected: Row | null; actual: Row | null }>(
    db,
    `SELECT to_jsonb(e) AS expected, to_jsonb(a) AS actual
       FROM ${expected} e FULL JOIN ${table} a ON ${keys.map((k) => `e.${k} = a.${k}`).join(' AND ')}
      WHERE to_jsonb(e) IS DISTINCT FROM to_jsonb(a)
      ORDER BY ${keys.map((k) => `coalesce(e.${k}, a.${k})`).join(', ')} LIMIT ${LISTED}`,
  );
  return rows.flatMap(({ expected: want, actual: got }) => {
    const key = Object.fromEntries(keys.map((k) => [k, (want ?? got)![k]]));
    if (!want || !got) {
      return [{ table, key, column: '(row)', expected: want ? 'a row' : 'no row', actual: got ? 'a row' : 'no row' }];
    }
    return differing(want, got).map(([column, e, a]) => ({ table, key, column, expected: e, actual: a }));
  });
}

/** The columns (and for an object column such as `document`, its members) whose values differ. */
function differing(want: Row, got: Row, prefix = ''): Array<[string, unknown, unknown]> {
  const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
  return [...new Set([...Object.keys(want), ...Object.keys(got)])].flatMap((name) => {
    const [e, a] = [want[name], got[name]];
    if (canonical(e) === canonical(a)) return [];
    if (!prefix && isObject(e) && isObject(a)) return differing(e, a, `${name}.`);
    return [[`${prefix}${name}`, e, a] as [string, unknown, unknown]];
  });
}
