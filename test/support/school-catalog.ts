import type pg from 'pg';

/**
 * A school database's shape as lines of text, one per table, column, constraint, index, sequence,
 * trigger and function of its `public` schema, with each table's rows (count and hash: the seed data) and
 * each sequence's position, read from the catalog (pg_catalog, not the files that
 * made it), so that two databases made different ways can be compared line by line. SCS's own record of
 * applied migrations (`schema_migrations`, the `drizzle` schema) is not part of the school's shape.
 */
export async function schoolCatalog(client: pg.ClientBase): Promise<string[]> {
  const queries = [
    `SELECT format('table %s %s', c.relname, c.relkind) FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND c.relname <> 'schema_migrations'`,
    `SELECT format('column %s.%s %s%s default=%s identity=%s generated=%s', c.relname, a.attname,
              format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
              coalesce(pg_get_expr(d.adbin, d.adrelid), '-'), a.attidentity, a.attgenerated)
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0
        AND NOT a.attisdropped AND c.relname <> 'schema_migrations'`,
    `SELECT format('constraint %s.%s %s', c.relname, k.conname, pg_get_constraintdef(k.oid))
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'schema_migrations'`,
    `SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'schema_migrations'`,
    `SELECT format('sequence %s %s start=%s min=%s max=%s increment=%s cache=%s cycle=%s', sequencename,
              data_type, start_value, min_value, max_value, increment_by, cache_size, cycle)
       FROM pg_sequences WHERE schemaname = 'public'`,
    `SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal`,
    `SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace`,
    `SELECT 'type ' || t.typname FROM pg_type t
      WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0`,
  ];
  const lines: string[] = [];
  for (const query of queries) {
    const result = await client.query<{ line: string }>(`SELECT line FROM (${query}) AS q(line)`);
    lines.push(...result.rows.map((r) => r.line));
  }
  // The rows migrations put in (seed data such as the default roles) and where each sequence stands.
  const tables = await client.query<{ name: string }>(
    `SELECT format('%I', relname) AS name FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname <> 'schema_migrations'`,
  );
  for (const { name } of tables.rows) {
    const rows = await client.query<{ line: string }>(
      `SELECT format('rows %s %s %s', '${name}', count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')))
         AS line FROM public.${name} t`,
    );
    lines.push(rows.rows[0].line);
  }
  const sequences = await client.query<{ line: string }>(
    `SELECT format('sequence %s at %s', sequencename, coalesce(last_value::text, 'unused')) AS line
       FROM pg_sequences WHERE schemaname = 'public'`,
  );
  lines.push(...sequences.rows.map((r) => r.line));
  return lines.sort();
}

/** The lines only one side has, each marked `-` (only in `a`) or `+` (only in `b`). */
export function catalogDifference(a: string[], b: string[]): string[] {
  const [left, right] = [new Set(a), new Set(b)];
  return [
    ...a.filter((l) => !right.has(l)).map((l) => `- ${l}`),
    ...b.filter((l) => !left.has(l)).map((l) => `+ ${l}`),
  ];
}
