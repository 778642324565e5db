import type pg from 'pg';

/**
 * A school database's schema version: how many drizzle-kit migrations it records (one row each, as
 * drizzle-orm's migrator records them), or, made before Drizzle, its highest `schema_migrations` version;
 * null when it records neither.
 */
export async function schemaVersionOf(client: pg.ClientBase): Promise<string | null> {
  const read = (sql: string) =>
    client.query<{ v: string | null }>(sql).then(
      (r) => r.rows[0]?.v ?? null,
      () => null,
    );
  const drizzle = `SELECT lpad(count(*)::text, 4, '0') AS v FROM drizzle.__drizzle_migrations HAVING count(*) > 0`;
  return (await read(drizzle)) ?? (await read('SELECT max(version) AS v FROM schema_migrations'));
}
