import pg from 'pg';
import { query, urlForDatabase } from './databases.js';
import type { ScsProcess } from './scs-process.js';

/** A school database's contents: every table's rows and every sequence's position. */
export type SchoolRows = { tables: Record<string, unknown>; sequences: Record<string, unknown> };

/** Every table's rows and every sequence's position, read as the admin (nothing moved). */
export async function schoolRows(database: string): Promise<SchoolRows> {
  const url = urlForDatabase(database);
  const names = await query<{ name: string }>(
    url,
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`,
  );
  const tables: Record<string, unknown> = {};
  for (const { name } of names) {
    const sql = `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') AS rows FROM public.${pg.escapeIdentifier(name)} t`;
    tables[name] = (await query(url, sql))[0].rows;
  }
  const seqs = await query<{ name: string; last: string | null }>(
    url,
    `SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = 'public'`,
  );
  return { tables, sequences: Object.fromEntries(seqs.map((s) => [s.name, s.last])) };
}

/** A client on the school's database as its own role, from GET /school/:id/credentials. */
export async function asSchool(scs: ScsProcess, id: string): Promise<pg.Client> {
  const res = await scs.request(`/school/${id}/credentials`);
  expect(res.status).toBe(200);
  const { host, port, database, role, password } = res.body;
  const client = new pg.Client({ host, port, database, user: role, password });
  await client.connect();
  return client;
}

/**
 * Rows written through the school's own role, as its apps write them: identities, foreign keys, text
 * beyond ASCII, and a deletion that leaves a sequence ahead of the rows.
 */
export async function fillAsSchool(scs: ScsProcess, id: string): Promise<void> {
  const app = await asSchool(scs, id);
  try {
    await app.query(`INSERT INTO roles (code, name) SELECT 'r' || g, 'Role ' || g FROM generate_series(1, 30) g`);
    await app.query(
      `INSERT INTO permissions (code, description) SELECT 'p' || g, 'P ✓ ' || g FROM generate_series(1, 20) g`,
    );
    await app.query(
      `INSERT INTO role_permissions SELECT r.id, p.id FROM roles r JOIN permissions p ON p.id % 3 = r.id % 3`,
    );
    await app.query(
      `INSERT INTO users (email, display_name) SELECT 'u' || g || '@greenwood.example', 'User ' || g FROM generate_series(1, 200) g`,
    );
    await app.query(`INSERT INTO user_roles SELECT u.id, (SELECT min(id) FROM roles) FROM users u`);
    await app.query(`DELETE FROM roles WHERE id > (SELECT max(id) - 4 FROM roles)`);
  } finally {
    await app.end();
  }
}
