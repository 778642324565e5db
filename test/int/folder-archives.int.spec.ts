import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FolderDatabaseArchives } from '../../src/adapters/archives/folder/folder-archives.js';
import { archiveFormatFor, query, serverUrl, urlForDatabase } from '../support/databases.js';

describe('FolderDatabaseArchives: the final archive before a school database is dropped', () => {
  const databaseName = `school_${randomBytes(16).toString('hex')}`;
  const schoolId = randomUUID();
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scs-archives-'));
    await query(serverUrl(), `CREATE DATABASE ${databaseName}`);
    const url = urlForDatabase(databaseName);
    await query(
      url,
      `CREATE TABLE schema_migrations (version text PRIMARY KEY); INSERT INTO schema_migrations VALUES ('0004')`,
    );
    await query(
      url,
      `CREATE TABLE rooms (id int PRIMARY KEY, code text NOT NULL); INSERT INTO rooms SELECT g, 'R-' || g FROM generate_series(1, 2500) g`,
    );
    await query(
      url,
      `CREATE TABLE notices (id int PRIMARY KEY, title text); INSERT INTO notices VALUES (1, 'Sports day ✓ "quoted"')`,
    );
  });
  afterAll(async () => {
    await query(serverUrl(), `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every row of every table as gzip JSON lines when no suitable pg_dump exists', async () => {
    const archives = new FolderDatabaseArchives({
      dir,
      serverUrl: serverUrl(),
      retentionDays: 30,
      pgDump: '/nonexistent/pg_dump',
    });
    const archive = await archives.archive({ schoolId, databaseName });
    expect(archive).toMatchObject({ format: 'scs-jsonl-v1', rows: 2502 });
    expect(archive.location.startsWith(join(dir, schoolId))).toBe(true);
    const content = gunzipSync(readFileSync(archive.location))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(content[0]).toMatchObject({
      format: 'scs-jsonl-v1',
      schemaVersion: '0004',
      tables: ['notices', 'rooms', 'schema_migrations'],
    });
    expect(content.filter((l) => l.table === 'rooms')).toHaveLength(2500);
    expect(content).toContainEqual({ table: 'notices', row: { id: 1, title: 'Sports day ✓ "quoted"' } });
    expect(archive.bytes).toBe(readFileSync(archive.location).length);
    expect(archive.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses pg_dump when it is at least as new as the server', async () => {
    const archives = new FolderDatabaseArchives({ dir, serverUrl: serverUrl(), retentionDays: 30 });
    const archive = await archives.archive({ schoolId, databaseName });
    // Which format is right here, found independently: the machine's pg_dump against the server's major version.
    if ((await archiveFormatFor(serverUrl())) === 'pg_dump-custom') {
      expect(archive.format).toBe('pg_dump-custom');
      const data = execFileSync('pg_restore', ['--data-only', '-f', '-', archive.location]).toString();
      expect(data).toContain('R-2500');
    } else {
      // The embedded server is newer than the machine's pg_dump (or it has none): the fallback was right to step in.
      expect(archive.format).toBe('scs-jsonl-v1');
    }
  });

  it('removes archives past their retention, and keeps the rest', async () => {
    const archives = new FolderDatabaseArchives({
      dir,
      serverUrl: serverUrl(),
      retentionDays: 7,
      pgDump: '/nonexistent/pg_dump',
    });
    const old = await archives.archive({ schoolId, databaseName });
    const fresh = await archives.archive({ schoolId, databaseName });
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(old.location, eightDaysAgo, eightDaysAgo);
    expect(await archives.purgeExpired(new Date())).toBeGreaterThanOrEqual(1);
    expect(existsSync(old.location)).toBe(false);
    expect(existsSync(fresh.location)).toBe(true);
  });
});
