import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore, NewEvent } from '../../src/ports/event-store.port.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { migrationsDir } from '../../src/adapters/postgres/sql-migrations.js';
import { withClient } from './databases.js';
import { provisionedSchool } from './school-spec.js';

/** Shared by the event-store contract and the PostgreSQL adapter's own tests. */
export const testMetadata = { actor: 'test', correlationId: 'corr-1', now: '2026-01-01T00:00:00.000Z' };
export const ev = (type: string, data: Record<string, unknown> = {}, id?: string): NewEvent => ({
  type,
  data,
  metadata: { ...testMetadata },
  ...(id ? { id } : {}),
});
/** Stream names unique to a run: a real server keeps every earlier run's streams. */
export const unique = (name: string) => `${name}_${randomBytes(5).toString('hex')}-`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `ok`: a store may make an append readable a little later (PostgreSQL's xmin horizon). */
export async function until<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value: ${String(value)}`);
    await sleep(20);
  }
}

/** The central migrations that make the PostgreSQL event store: its tables (and `scs_checkpoints`), its append. */
export const EVENT_STORE_MIGRATIONS = [
  '0001_event_store.sql',
  '0025_event_store_append.sql',
  '0029_no_appends_sessions.sql',
];

/** The PostgreSQL event store's schema in the database at `url`. */
export async function applyEventStoreSchema(url: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query('BEGIN');
    for (const file of EVENT_STORE_MIGRATIONS)
      await client.query(readFileSync(join(migrationsDir('central'), file), 'utf8'));
    await client.query('COMMIT');
  });
}

/**
 * Appends a provisioned school's events (test/support/school-spec) as school `id`: its SchoolRequested
 * with `requested` over its data (slug, district, …), up to the first `upTo` events.
 */
export async function appendSchool(
  store: Pick<EventStore, 'append'>,
  id: string,
  requested: Record<string, unknown>,
  upTo?: number,
): Promise<void> {
  const events = provisionedSchool()
    .slice(0, upTo)
    .map((e) => ({
      type: e.type,
      data: (e.type === 'SchoolRequested' ? { ...e.data, schoolId: id, ...requested } : e.data) as Record<
        string,
        unknown
      >,
      metadata: testMetadata,
    }));
  await store.append(schoolStreamId(id), events, 'no_stream');
}
