import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import type { LoadedArchive } from '../../../ports/database-archives.port.js';
import { StepError } from '../../../ports/step-error.js';

/** The first line of an `scs-jsonl-v1` archive. */
export interface JsonLinesHeader {
  format: 'scs-jsonl-v1';
  schemaVersion: string | null;
  tables: string[];
  archivedAt: string;
}

type Line = { table: string; row: Record<string, unknown> } | { sequence: string; lastValue: string | null };

const BATCH = 1000;

function lines(file: string): AsyncIterable<string> {
  const input = createReadStream(file).pipe(createGunzip());
  return createInterface({ input, crlfDelay: Infinity });
}

function parse<T>(text: string, at: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw StepError.permanent(`archive line ${at} is not JSON`);
  }
}

export async function readHeader(file: string): Promise<JsonLinesHeader> {
  for await (const line of lines(file)) {
    const header = parse<JsonLinesHeader>(line, 1);
    if (header.format !== 'scs-jsonl-v1') throw StepError.permanent(`not an scs-jsonl-v1 archive: ${header.format}`);
    return header;
  }
  throw StepError.permanent('the archive is empty');
}

/**
 * Loads an archive's rows into a database already at its schema version, in one transaction: rows in
 * batches through `jsonb_populate_recordset` (each value back to its column's type; identity columns kept,
 * generated ones left to compute), triggers and foreign-key checks off while loading (the rows come from one
 * consistent snapshot, as `pg_restore --disable-triggers` assumes), then each sequence set where it was, or,
 * for an archive made before sequences were kept, after the highest value of the column that owns it.
 * Rows the migrations seeded are removed first; `schema_migrations` is not loaded (`migrate` recorded it).
 * Needs a superuser (session_replication_role), as SCS's tenant server connections are.
 */
export async function loadJsonLines(
  client: pg.ClientBase,
  file: string,
): Promise<Omit<LoadedArchive, 'schemaVersion'>> {
  const loaded = new Set<string>();
  const sequences = new Map<string, string | null>();
  let rows = 0;
  let batch: Array<Record<string, unknown>> = [];
  let table: string | undefined;
  const columns = new Map<string, string[]>();
  const flush = async () => {
    if (!table || batch.length === 0) return;
    const cols = columns.get(table) ?? (await insertableColumns(client, table));
    columns.set(table, cols);
    const list = cols.map((c) => pg.escapeIdentifier(c)).join(', ');
    const name = `public.${pg.escapeIdentifier(table)}`;
    await client.query(
      `INSERT INTO ${name} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`,
      [JSON.stringify(batch)],
    );
    rows += batch.length;
    batch = [];
  };
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL session_replication_role = replica');
    await emptyTables(client);
    let at = 0;
    for await (const text of lines(file)) {
      if (++at === 1 || text === '') continue;
      const line = parse<Line>(text, at);
      if ('sequence' in line) {
        sequences.set(line.sequence, line.lastValue);
        continue;
      }
      if (line.table === 'schema_migrations') continue;
      if (line.table !== table || batch.length >= BATCH) await flush();
      table = line.table;
      loaded.add(table);
      batch.push(line.row);
    }
    await flush();
    const set = sequences.size > 0 ? await setSequences(client, sequences) : await sequencesAfterRows(client);
    await client.query('COMMIT');
    return { tables: loaded.size, rows, sequences: set };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The rows migrations seeded go: the archive holds every row the school had, those as they were then. */
async function emptyTables(client: pg.ClientBase): Promise<void> {
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' AND NOT c.relispartition`,
  );
  if (tables.rows.length > 0) await client.query(`TRUNCATE ${tables.rows.map((t) => t.name).join(', ')}`);
}

/** The columns a row is written to: all but generated ones (`GENERATED ALWAYS AS (…) STORED`). */
async function insertableColumns(client: pg.ClientBase, table: string): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [`public.${pg.escapeIdentifier(table)}`],
  );
  if (result.rows.length === 0) {
    throw StepError.permanent(`the archive has rows of table ${table}, which its schema version does not have`);
  }
  return result.rows.map((r) => r.name);
}

async function setSequences(client: pg.ClientBase, values: Map<string, string | null>): Promise<number> {
  for (const [sequence, lastValue] of values) {
    const name = `public.${pg.escapeIdentifier(sequence)}`;
    // Never called: the next value is its start, as it was.
    if (lastValue === null)
      await client.query(`SELECT setval($1::regclass, seqmin, false) FROM pg_sequence WHERE seqrelid = $1::regclass`, [
        name,
      ]);
    else await client.query('SELECT setval($1::regclass, $2::bigint, true)', [name, lastValue]);
  }
  return values.size;
}

async function sequencesAfterRows(client: pg.ClientBase): Promise<number> {
  const owned = await client.query<{ seq: string; tbl: string; col: string }>(
    `SELECT s.oid::regclass::text AS seq, t.oid::regclass::text AS tbl, a.attname AS col
       FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
       JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE s.relkind = 'S' AND n.nspname = 'public'`,
  );
  for (const { seq, tbl, col } of owned.rows) {
    await client.query(
      `SELECT setval($1::regclass, m) FROM (SELECT max(${pg.escapeIdentifier(col)})::bigint AS m FROM ${tbl}) x WHERE m IS NOT NULL`,
      [seq],
    );
  }
  return owned.rows.length;
}
