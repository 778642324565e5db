/**
 * Time to restored (POST /school/:id/restore to `active`) for a freshly provisioned school and for one
 * holding 100,000 rows, beside the archive's own size and format. Part of `npm run bench` (main.ts calls
 * `restoreRows`), or on its own: `node dist/bench/restore.js` (DATABASE_URL or SCS_BENCH_DATABASE_URL: a
 * server whose databases it makes and drops). BENCH_RESTORE_ROWS overrides the 100,000.
 */
import { performance } from 'node:perf_hooks';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { query } from '../test/support/databases.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../test/support/scs-process.js';
import { formatTable, row, type Row } from './support/report.js';

const WAIT = 600_000;

async function archiveOf(scs: ScsProcess, id: string): Promise<{ bytes: number; format: string; rows?: number }> {
  const events = (await scs.request(`/school/${id}/history`)).body.events as Array<{ type: string; data: any }>;
  return events.findLast((e) => e.type === 'DatabaseDropped')!.data.archive;
}

/** The school once its restore ended: active, or deleted again with `restore.status` failed (not the stale deleted). */
function settled(scs: ScsProcess, id: string): Promise<any> {
  return waitFor(
    `school ${id}'s restore to end`,
    async () => {
      const { body } = await scs.request(`/school/${id}`);
      return body.status === 'active' || body.restore?.status === 'failed' ? body : undefined;
    },
    WAIT,
  );
}

/** `database` on the server of `serverUrl` (the bench's server, embedded or configured). */
function schoolDatabaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Provisions a school, fills `rows` users, deletes it, and times its restore. */
async function timeRestore(
  scs: ScsProcess,
  serverUrl: string,
  rows: number,
): Promise<{ ms: number; archive: { bytes: number; format: string } }> {
  const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
  const school = await waitForStatus(scs, created.body.id, ['active'], WAIT);
  if (rows > 0) {
    await query(
      schoolDatabaseUrl(serverUrl, school.databaseName),
      `INSERT INTO users (email, display_name) SELECT 'u' || g || '@bench.example', 'User ' || g FROM generate_series(1, $1::int) g`,
      [rows],
    );
  }
  await scs.request(`/school/${school.id}`, { method: 'DELETE' });
  await waitForStatus(scs, school.id, ['deleted'], WAIT);
  const archive = await archiveOf(scs, school.id);
  const started = performance.now();
  const res = await scs.request(`/school/${school.id}/restore`, { method: 'POST' });
  if (res.status !== 202) throw new Error(`restore answered ${res.status}: ${JSON.stringify(res.body)}`);
  const restored = await settled(scs, school.id);
  if (restored.status !== 'active') throw new Error(`restore failed: ${JSON.stringify(restored.restore)}`);
  return { ms: performance.now() - started, archive };
}

/**
 * The two rows, each school provisioned, filled and deleted by `scs` (on the server of `serverUrl`)
 * before its restore is timed; `progress` says which one is under way.
 */
export async function restoreRows(
  scs: ScsProcess,
  serverUrl: string,
  rows = 100_000,
  progress: (what: string) => void = () => undefined,
): Promise<Row[]> {
  const out: Row[] = [];
  for (const [id, n, school] of [
    ['restore_fresh', 0, 'a freshly provisioned school'],
    ['restore_100k', rows, `a school with ${rows.toLocaleString('en-US')} rows`],
  ] as const) {
    progress(`restore: ${school}, provisioned and deleted, timed from POST /school/:id/restore to active`);
    const { ms, archive } = await timeRestore(scs, serverUrl, n);
    const detail = `archive ${(archive.bytes / 1024).toFixed(1)} KiB, ${archive.format}`;
    const what = `time to restored: ${school}`;
    out.push(row({ id, what, value: ms, unit: 'ms', better: 'lower', detail, goal: 'shown, no goal' }));
  }
  return out;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const databaseUrl = process.env.SCS_BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!databaseUrl)
    throw new Error('set DATABASE_URL (or SCS_BENCH_DATABASE_URL) to a central database the bench may use');
  const env = {
    SCS_RATE_LIMIT_PER_MINUTE: '1000000',
    SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000',
    SCS_RECONCILE_INTERVAL_S: '0',
  };
  const scs = await startScs({
    databaseUrl,
    env: { ...env, ...(process.env.BENCH_ENV_PATH ? { PATH: process.env.BENCH_ENV_PATH } : {}) },
    startTimeoutMs: 300_000,
  });
  try {
    const rows = await restoreRows(scs, databaseUrl, Number(process.env.BENCH_RESTORE_ROWS ?? 100_000));
    process.stdout.write(formatTable(rows));
  } finally {
    await scs.stop();
    const schools = new PostgresTenantDatabases({
      serverUrl: databaseUrl,
      owner: new URL(databaseUrl).pathname.slice(1),
    });
    for (const name of await schools.list()) await schools.drop(name);
  }
}
