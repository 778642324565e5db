import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { query, urlForDatabase } from './databases.js';

/**
 * Whether `password` is the role's password, read from its SCRAM-SHA-256 verifier in pg_authid (or
 * an md5 hash), so the answer does not depend on the server's pg_hba (CI's trusts local connections).
 */
export async function isRolePassword(role: string, password: string, server?: string): Promise<boolean> {
  const [row] = await query<{ rolpassword: string | null }>(
    server ?? urlForDatabase('postgres'),
    'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
    [role],
  );
  const stored = row?.rolpassword;
  if (!stored) return false;
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (scram) {
    const salted = pbkdf2Sync(password, Buffer.from(scram[2], 'base64'), Number(scram[1]), 32, 'sha256');
    const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
    return timingSafeEqual(storedKey, Buffer.from(scram[3], 'base64'));
  }
  return (
    stored ===
    `md5${createHash('md5')
      .update(password + role)
      .digest('hex')}`
  );
}

/** Connects to a school database as its role (on `server`, default the test server), runs one query. */
export async function connectsAs(role: string, password: string, database: string, server?: string): Promise<boolean> {
  const url = new URL(server ?? urlForDatabase(database));
  url.pathname = `/${database}`;
  url.username = role;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    await client.query('SELECT count(*) FROM rooms');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
