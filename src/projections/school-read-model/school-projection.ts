import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../../application/ports/event-store.port.js';
import type { AppLogger } from '../../application/ports/logger.port.js';
import { noLocks, type Locks } from '../../application/ports/locks.port.js';
import { toFoldable } from '../../application/school/school-stream.js';
import { schoolIdFromStream, schoolStreamId, SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import { evolveView, foldView } from './evolve-view.js';
import { SCHOOL_VIEW_VERSION, type SchoolView } from './school-view.js';
import { describeError } from '../../application/describe-error.js';

export const READ_MODEL_CHECKPOINT = 'school-read-model';
const TABLE = 'school_read_model';
const PAGE = 1000;

/**
 * Projects school events into `school_read_model`: one `SchoolView` per school, folded by the pure
 * `evolveView`. Each batch writes its rows and the checkpoint in one transaction, and rows carry the
 * stream revision they were built to, so an event delivered twice (after a crash, or by a stale runner
 * during a rebuild) changes nothing. Rows also carry their document version: on start, a table holding
 * rows of another version (an older shape) is rebuilt before the projection follows new events.
 */
export class SchoolReadModelProjection {
  private subscription?: Subscription;
  private lock?: { release(): Promise<void> };
  private stopped = false;
  private leading?: Promise<void>;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly logger: AppLogger,
    private readonly locks: Locks = noLocks,
  ) {}

  /** Runs the projection in one replica at a time: the others wait for its lock and take over. */
  async start(): Promise<void> {
    this.stopped = false;
    this.leading = (async () => {
      while (!this.stopped) {
        const lock = await this.locks.tryLock('projection:school-read-model').catch(() => undefined);
        if (lock) {
          this.lock = lock;
          if (this.stopped) break;
          await this.subscribe();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
  }

  /** Never rejects: whatever fails (the checkpoint cannot be read, the subscription stops) is tried again. */
  private async subscribe(): Promise<void> {
    let after: GlobalPosition | undefined;
    try {
      if (await hasOtherVersions(this.dataSource.manager)) {
        const version = SCHOOL_VIEW_VERSION;
        this.logger.log(`read model projection: rows of another document version; rebuilding (version ${version})`);
        await this.rebuild();
      }
      after = await loadCheckpoint(this.dataSource.manager);
    } catch (error) {
      this.logger.warn(`read model projection: cannot read its checkpoint (${describeError(error)}); trying again in 2 s`);
      return this.subscribeLater();
    }
    if (this.stopped) return;
    this.subscription = this.store.subscribeToAll({
      after,
      streamPrefix: SCHOOL_STREAM_PREFIX,
      handler: (event) => this.dataSource.transaction((m) => applyBatch(m, this.store, TABLE, [event], true)),
      onError: (error) => {
        this.logger.error(`read model projection stopped: ${describeError(error)}; starting it again in 2 s`);
        // It resumes from its stored checkpoint, which moved with each batch it wrote.
        this.subscribeLater();
      },
    });
  }

  private subscribeLater(): void {
    if (!this.stopped) setTimeout(() => { if (!this.stopped) void this.subscribe(); }, 2000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.leading?.catch(() => undefined);
    await this.subscription?.stop();
    await this.lock?.release();
  }

  /**
   * Rebuilds the read model from the first event into a shadow table, then swaps it in while holding
   * the checkpoint row, so readers never see an empty table and the live projection resumes after it.
   */
  async rebuild(onProgress?: (done: number) => void): Promise<{ events: number; schools: number }> {
    const shadow = `${TABLE}_rebuild`;
    await this.dataSource.query(`DROP TABLE IF EXISTS ${shadow}`);
    await this.dataSource.query(`CREATE TABLE ${shadow} (LIKE ${TABLE} INCLUDING ALL)`);
    let position: GlobalPosition | undefined;
    let events = 0;
    const catchUp = async (manager: EntityManager): Promise<void> => {
      for (;;) {
        const page = await this.store.readAll({ after: position, maxCount: PAGE, streamPrefix: SCHOOL_STREAM_PREFIX });
        if (page.length === 0) return;
        await applyBatch(manager, this.store, shadow, page, false);
        position = page[page.length - 1].position;
        events += page.length;
        onProgress?.(events);
      }
    };
    await catchUp(this.dataSource.manager);
    await this.dataSource.transaction(async (manager) => {
      await lockCheckpoint(manager);
      await catchUp(manager);
      await manager.query(`DROP TABLE ${TABLE}`);
      await manager.query(`ALTER TABLE ${shadow} RENAME TO ${TABLE}`);
      if (position) await saveCheckpoint(manager, position);
    });
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM ${TABLE}`);
    return { events, schools: count };
  }
}

async function lockCheckpoint(manager: EntityManager): Promise<GlobalPosition | undefined> {
  await manager.query(
    `INSERT INTO scs_checkpoints (name, commit_position, prepare_position) VALUES ($1, -1, -1) ON CONFLICT (name) DO NOTHING`,
    [READ_MODEL_CHECKPOINT],
  );
  const rows = await manager.query(`SELECT commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints WHERE name = $1 FOR UPDATE`, [READ_MODEL_CHECKPOINT]);
  return toPosition(rows[0]);
}

async function loadCheckpoint(manager: EntityManager): Promise<GlobalPosition | undefined> {
  const rows = await manager.query(`SELECT commit_position::text AS c, prepare_position::text AS p FROM scs_checkpoints WHERE name = $1`, [READ_MODEL_CHECKPOINT]);
  return toPosition(rows[0]);
}

function toPosition(row: { c: string; p: string } | undefined): GlobalPosition | undefined {
  if (!row || row.c === '-1') return undefined;
  return { commit: BigInt(row.c), prepare: BigInt(row.p) };
}

async function saveCheckpoint(manager: EntityManager, position: GlobalPosition): Promise<void> {
  await manager.query(
    `INSERT INTO scs_checkpoints (name, commit_position, prepare_position, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position, updated_at = now()`,
    [READ_MODEL_CHECKPOINT, position.commit.toString(), position.prepare.toString()],
  );
}

async function hasOtherVersions(manager: EntityManager): Promise<boolean> {
  const sql = `SELECT 1 FROM ${TABLE} WHERE document_version <> $1 LIMIT 1`;
  const rows = await manager.query(sql, [SCHOOL_VIEW_VERSION]);
  return rows.length > 0;
}

/** Folds a batch of events into rows of `table`; with `checkpoint`, stores the position too. */
async function applyBatch(
  manager: EntityManager,
  store: EventStore,
  table: string,
  events: RecordedEvent[],
  checkpoint: boolean,
): Promise<void> {
  if (checkpoint) await lockCheckpoint(manager);
  const ids = [...new Set(events.map((e) => schoolIdFromStream(e.streamId)).filter((id): id is string => !!id))];
  const rows: Array<{ id: string; document: SchoolView; version: string }> = ids.length
    ? await manager.query(
      `SELECT id::text AS id, document, document_version AS version FROM ${table}
       WHERE id = ANY($1::uuid[]) FOR UPDATE`,
      [ids],
    )
    : [];
  const views = new Map<string, SchoolView | undefined>();
  for (const row of rows) {
    // A row of another shape is never read as a view: the school is folded again from its stream.
    views.set(row.id, row.version === SCHOOL_VIEW_VERSION ? row.document : await viewBefore(store, row.id, events));
  }
  const touched = new Set<string>();
  for (const event of events) {
    const id = schoolIdFromStream(event.streamId);
    if (!id) continue;
    const current = views.get(id);
    if (current && event.revision <= current.revision) continue; // already projected
    if (!current && event.type !== 'SchoolRequested') continue;
    views.set(id, evolveView(current, toFoldable(event)));
    touched.add(id);
  }
  for (const id of touched) {
    const view = views.get(id);
    if (view) await upsert(manager, table, view);
  }
  if (checkpoint && events.length > 0) await saveCheckpoint(manager, events[events.length - 1].position);
}

/** The school's view just before the first of `events` that belongs to it. */
async function viewBefore(store: EventStore, id: string, events: RecordedEvent[]): Promise<SchoolView | undefined> {
  const first = events.find((e) => e.streamId === schoolStreamId(id))!;
  const history = await store.readStream(first.streamId);
  return foldView(history.filter((e) => e.revision < first.revision).map(toFoldable));
}

async function upsert(manager: EntityManager, table: string, v: SchoolView): Promise<void> {
  await manager.query(
    `INSERT INTO ${table} (id, slug, name, district, board, admin_email, phone, database_name, subdomain, status,
       created_at, updated_at, revision, document, document_version, schema_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
       revision = EXCLUDED.revision, document = EXCLUDED.document, document_version = EXCLUDED.document_version,
       schema_version = EXCLUDED.schema_version
     WHERE ${table}.revision < EXCLUDED.revision OR ${table}.document_version <> EXCLUDED.document_version`,
    [v.id, v.slug, v.name, v.district, v.board, v.adminEmail, v.phone, v.databaseName, v.subdomain, v.status,
      v.createdAt, v.updatedAt, v.revision, JSON.stringify(v), SCHOOL_VIEW_VERSION, v.schemaVersion ?? null],
  );
}
