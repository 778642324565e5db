import pg from 'pg';

const BATCH = 1000;

/**
 * Every table of the public schema but schema_migrations, in one snapshot of the source, into the target
 * in one transaction: emptied first, foreign keys and triggers off while loading (session_replication_role,
 * which needs a superuser or, on PostgreSQL 15+, that setting granted), generated columns left to the
 * target, then each sequence set to where the source's was.
 */
export async function copyRows(source: pg.Client, target: pg.Client): Promise<{ tables: number; rows: number }> {
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await target.query('BEGIN');
  try {
    const tables = (
      await source.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
    await target.query('SET LOCAL session_replication_role = replica');
    const all = tables.map((t) => pg.escapeIdentifier(t)).join(', ');
    if (tables.length > 0) await target.query(`TRUNCATE ${all} CASCADE`);
    let rows = 0;
    for (const table of tables) {
      const t = pg.escapeIdentifier(table);
      const columns = (
        await target.query<{ name: string }>(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0
           AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [t],
        )
      ).rows
        .map((r) => pg.escapeIdentifier(r.name))
        .join(', ');
      await source.query(`DECLARE copy_cursor NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${t} t`);
      for (;;) {
        const batch = await source.query<{ row: string }>(`FETCH ${BATCH} FROM copy_cursor`);
        if (batch.rows.length === 0) break;
        await target.query(
          `INSERT INTO ${t} (${columns}) OVERRIDING SYSTEM VALUE
             SELECT ${columns} FROM json_populate_recordset(NULL::${t}, $1::json)`,
          [`[${batch.rows.map((r) => r.row).join(',')}]`],
        );
        rows += batch.rows.length;
      }
      await source.query('CLOSE copy_cursor');
    }
    const sequences = await source.query<{ name: string; last_value: string | null; is_called: boolean }>(
      `SELECT sequencename AS name, last_value::text, last_value IS NOT NULL AS is_called FROM pg_sequences
        WHERE schemaname = 'public'`,
    );
    for (const s of sequences.rows.filter((s) => s.last_value !== null)) {
      await target.query('SELECT setval($1::regclass, $2::bigint, true)', [pg.escapeIdentifier(s.name), s.last_value]);
    }
    await target.query('COMMIT');
    return { tables: tables.length, rows };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await source.query('ROLLBACK').catch(() => undefined);
  }
}
