import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  deliverEvents,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.port.js';
import { silentLogger, type AppLogger } from '../../../application/ports/logger.port.js';
import { reportSubscriptionStop } from '../subscription-stop.js';
import { describeError } from '../../../application/describe-error.js';
import { isDatabaseUnavailable } from '../../postgres/connection-faults.js';
import { NO_APPENDS_APPLICATION } from '../../postgres/central-database.js';

interface EventRow {
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
  tx: string;
  pos: string;
}

// xid8 and bigint leave PostgreSQL as text: a JS number would lose precision past 2^53.
const COLUMNS =
  'event_id, stream_id, revision, type, data, metadata, recorded_at, transaction_id::text AS tx, global_position::text AS pos';
const PAGE = 500;
const UNIQUE_VIOLATION = '23505';
const STATISTICS_CHECK_MS = 60_000;
/**
 * The transaction horizon of the store's own database: the oldest transaction id that may still add
 * events (anything below it has ended), taken from the statement's own snapshot. That snapshot's
 * running transactions (`xip`) count unless pg_stat_activity shows them running in another database,
 * which cannot write to scs_events: a CREATE DATABASE (run from the maintenance database), a school's
 * migrations or another tenant's work no longer hold delivery back, as `pg_snapshot_xmin`, the oldest
 * running transaction of the whole cluster, did. Nor do sessions of this database named `scs-no-appends`
 * (NO_APPENDS_APPLICATION: the projections', the registry's), which central migration 0029 forbids to
 * append: before, each projection's write held every other subscriber back until it committed (the
 * process manager's delivery p90 was 19 ms in a sequential run, 5.4 ms since). A transaction shown in no
 * database (one that ended meanwhile, or a prepared one) still counts; one that starts later gets an id
 * at or above `xmax`.
 * It reads pg_stat_get_activity, what the view pg_stat_activity reads, without the view's joins to
 * pg_database and pg_authid: a subscription's look (one per subscriber per append) took 1.8-2.1 ms of
 * the server's time with the view, mostly planning, and 0.6-0.7 ms with the function.
 */
const HORIZON = `(SELECT least(pg_snapshot_xmax(s.snapshot), (
    SELECT min(x) FROM pg_snapshot_xip(s.snapshot) AS x WHERE x::xid NOT IN (
      SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
       WHERE a.backend_xid IS NOT NULL
         AND (a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              OR a.application_name = '${NO_APPENDS_APPLICATION}'))))
  FROM (SELECT pg_current_snapshot() AS snapshot) s)`;
/** The first wait for events held back behind the transaction horizon; each further one is 1.5× longer. */
const HELD_FIRST_MS = 5;

/** A subscription's flag, and how to cut short whatever it is waiting for. */
interface PauseState {
  stopped: boolean;
  wake: () => void;
}

const toPosition = (row: { tx: string; pos: string }): GlobalPosition => ({
  commit: BigInt(row.tx),
  prepare: BigInt(row.pos),
});

function toEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    revision: row.revision,
    position: toPosition(row),
    recordedAt: row.recorded_at,
  };
}

/** Errors that retrying cannot fix (a broken query or schema); anything else, e.g. a lost connection, is retried. */
function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('42') || code.startsWith('22'));
}

function unavailable(operation: string, error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  const message = `PostgreSQL event store, ${operation}: ${describeError(error)}`;
  return new EventStoreUnavailableError(message, { cause: error });
}

/**
 * The statement of `readAll` and of a subscription's look (`withHeld`: whether committed events of the
 * prefix wait above the horizon, from the same snapshot as the page). Exported for the plan's test.
 */
export function readPageStatement(options: ReadAllOptions, withHeld: boolean): { text: string; params: unknown[] } {
  const params: unknown[] = [options.maxCount ?? 1000];
  const where = [`transaction_id < ${HORIZON}`];
  if (options.after) {
    params.push(options.after.commit.toString(), options.after.prepare.toString());
    where.push(`(transaction_id, global_position) > ($${params.length - 1}::text::xid8, $${params.length}::bigint)`);
  }
  let ofPrefix = '';
  if (options.streamPrefix !== undefined) {
    params.push(options.streamPrefix);
    ofPrefix = ` AND starts_with(stream_id, $${params.length}::text)`;
  }
  const page = `SELECT ${COLUMNS} FROM scs_events WHERE ${where.join(' AND ')}${ofPrefix}
    ORDER BY transaction_id, global_position LIMIT $1`;
  // Not EXISTS: with a horizon the planner cannot know before running, EXISTS scanned the whole table
  // for a row that is rarely there (a look per subscription per append, O(events) each); the first
  // row in index order is one probe.
  const held = `SELECT (SELECT transaction_id FROM scs_events WHERE transaction_id >= ${HORIZON}${ofPrefix}
    ORDER BY transaction_id LIMIT 1) IS NOT NULL AS held`;
  if (!withHeld) return { text: page, params };
  // The page and the probe below one horizon, worked out (and planned) once.
  const once = (sql: string) => sql.replaceAll(HORIZON, '(SELECT x FROM horizon)');
  const text = `WITH horizon AS MATERIALIZED (SELECT ${HORIZON} AS x)
    SELECT h.held, p.* FROM (${once(held)}) h LEFT JOIN LATERAL (${once(page)}) p ON true`;
  return { text, params };
}

/**
 * The event store on PostgreSQL. Appends check the stream's revision in `scs_streams`. Readers of the
 * whole log see only events of transactions below the horizon (HORIZON: all of them finished) ordered by
 * (transaction id, sequence), so a transaction that took its sequence numbers first but commits last
 * is still delivered after the events already read, never skipped (a reader by global sequence alone would skip it).
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly pollIntervalMs: number;
  private readonly logger: AppLogger;
  private readonly listener: NotificationListener;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private statisticsCheckedAt = -Infinity;

  constructor(options: { pool: pg.Pool; pollIntervalMs?: number; logger?: AppLogger }) {
    this.pool = options.pool;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.logger = options.logger ?? silentLogger;
    this.listener = new NotificationListener(this.pool.options, this.logger);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw unavailable(`append to ${streamId}`, error);
    });
    try {
      // One statement outside a transaction block is its own transaction: one round trip, and a
      // failed append leaves nothing to roll back.
      return await this.appendWithClient(client, streamId, events, expected);
    } catch (error) {
      const conflict =
        error instanceof WrongExpectedRevisionError || (error as { code?: unknown }).code === UNIQUE_VIOLATION;
      // On the connection already held: asking the pool for another while holding this one deadlocks
      // once every connection is held by a losing appender (20 concurrent claims of one slug did).
      const retried = conflict
        ? await this.earlierAppend(client, streamId, events, expected).catch((cause: unknown) => {
            throw unavailable(`append to ${streamId}`, cause);
          })
        : undefined;
      if (retried) return retried;
      throw unavailable(`append to ${streamId}`, error);
    } finally {
      client.release();
    }
  }

  /**
   * The append as one call of `scs_append` (migrations/central/0025): it checks and moves the stream's
   * revision in `scs_streams`, the lock that serialises writers of a stream, and inserts the events.
   * `append` runs it as a transaction of its own; tests and the rebuild bench call it inside one they hold open.
   */
  async appendWithClient(
    client: pg.ClientBase,
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error(`append to ${streamId}: no events`);
    const { rows } = await client.query<{ last: number | null; current: number | null; tx: string; pos: string }>({
      // Named: parsed once per connection (0.05 ms less per append here). Like LISTEN, it needs
      // session-level connections, not a transaction-pooling proxy.
      name: 'scs_append',
      text: `SELECT last_revision AS last, current_revision AS current, tx::text AS tx, last_position::text AS pos
               FROM scs_append($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
      values: [
        streamId,
        String(expected),
        events.map((e) => e.id ?? randomUUID()),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
        events.map((e) => JSON.stringify(e.metadata)),
      ],
    });
    const { last, current, tx, pos } = rows[0];
    if (last === null) throw new WrongExpectedRevisionError(streamId, expected, current ?? 'no_stream');
    return { nextExpectedRevision: last, position: toPosition({ tx, pos }) };
  }

  /**
   * A retried append whose first attempt committed (EventStoreDB's idempotence): every event carries an
   * id and all of them are already stored in this stream at consecutive revisions where `expected` put them.
   */
  private async earlierAppend(
    client: pg.ClientBase,
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | undefined> {
    if (events.some((e) => e.id === undefined)) return undefined;
    const rows = (
      await client.query<EventRow>(
        `SELECT ${COLUMNS} FROM scs_events WHERE stream_id = $1 AND event_id = ANY($2::uuid[])`,
        [streamId, events.map((e) => e.id)],
      )
    ).rows;
    const stored = events.map((e) => rows.find((r) => r.event_id === e.id?.toLowerCase()));
    if (stored.some((r) => r === undefined)) return undefined;
    const first = stored[0]!.revision;
    if (!stored.every((r, i) => r!.revision === first + i)) return undefined;
    if (expected === 'no_stream' && first !== 0) return undefined;
    if (typeof expected === 'number' && first !== expected + 1) return undefined;
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.revision, position: toPosition(last) };
  }

  async readStream(
    streamId: string,
    options: { fromRevision?: number; maxCount?: number } = {},
  ): Promise<RecordedEvent[]> {
    const rows = await this.pool
      .query<EventRow>(
        `SELECT ${COLUMNS} FROM scs_events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
        [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
      )
      .catch((error: unknown) => {
        throw unavailable(`read ${streamId}`, error);
      });
    return rows.rows.map(toEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readPage(options, false)).events;
  }

  /**
   * What `readAll` returns and, when `withHeld`, whether committed events of the prefix wait above the
   * horizon (an older transaction of this database is still open, and its end notifies nobody),
   * answered by the same statement, so from the same snapshot as the page.
   */
  private async readPage(
    options: ReadAllOptions,
    withHeld: boolean,
  ): Promise<{ events: RecordedEvent[]; held: boolean }> {
    if (options.streamPrefix !== undefined) await this.ensureStatistics();
    const { text, params } = readPageStatement(options, withHeld);
    const rows = await this.pool.query<EventRow & { held?: boolean }>(text, params).catch((error: unknown) => {
      throw unavailable('read all', error);
    });
    return {
      events: rows.rows.filter((r) => r.event_id !== null).map(toEvent),
      held: rows.rows[0]?.held === true,
    };
  }

  /**
   * Analyzes `scs_events` when its planner statistics are missing or stale (a store just filled or
   * restored, before autovacuum's turn). Without them the planner guesses that a stream prefix matches
   * 0.5% of the events and, for each page, sorts every event after the position instead of walking the
   * (transaction id, sequence) index: a rebuild's pages then cost O(events) each (7,600 events/s for
   * 200k events, 40,000+ with statistics). Looked at once a minute; a role that may not analyze is ignored.
   */
  private async ensureStatistics(): Promise<void> {
    if (Date.now() < this.statisticsCheckedAt + STATISTICS_CHECK_MS) return;
    this.statisticsCheckedAt = Date.now();
    const stale = await this.pool
      .query<{ stale: boolean }>(
        // reltuples is -1 until the table is first analyzed (or vacuumed).
        `SELECT c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > 1000 + 0.2 * c.reltuples AS stale
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'scs_events'::regclass`,
      )
      .then((r) => r.rows[0]?.stale === true)
      .catch(() => false);
    if (stale) await this.analyze().catch(() => undefined);
  }

  /** ANALYZE, unless a VACUUM (autovacuum's) holds the table: then it gives up rather than make readers wait. */
  private async analyze(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '200ms'`);
      await client.query('ANALYZE scs_events');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('the event store is closed');
    const state: PauseState = { stopped: false, wake: () => undefined };
    let position = options.after;

    const fail = (error: unknown) => {
      state.stopped = true;
      reportSubscriptionStop(options, this.logger, error);
    };

    const run = async () => {
      let failures = 0;
      let heldDelay = HELD_FIRST_MS;
      while (!state.stopped) {
        // A notification arriving while this page is read must not be slept through.
        const seen = this.listener.generation;
        let page: RecordedEvent[];
        let held: boolean;
        try {
          ({ events: page, held } = await this.readPage(
            { after: position, maxCount: PAGE, streamPrefix: options.streamPrefix },
            true,
          ));
          failures = 0;
        } catch (error) {
          if (isPermanent(error)) return fail(error);
          failures++;
          const delay = Math.min(5_000, 100 * 2 ** failures);
          this.logger.warn(
            `event subscription: reading failed (${describeError(error)}); retry ${failures} in ${delay} ms`,
          );
          await this.pause(state, delay, false);
          continue;
        }
        try {
          const taken = await deliverEvents(options, page, () => state.stopped);
          if (taken > 0) position = page[taken - 1].position;
        } catch (error) {
          return fail(error);
        }
        if (state.stopped) return;
        if (page.length === PAGE || this.listener.generation !== seen) continue;
        // Committed events above the horizon wait for an older transaction of this database (e.g. a
        // projection's write) whose end notifies nobody: look again soon, ever less often.
        heldDelay = held && page.length === 0 ? Math.min(this.pollIntervalMs, heldDelay * 1.5) : HELD_FIRST_MS;
        await this.pause(state, held ? heldDelay : this.pollIntervalMs, true);
      }
    };

    const done = run()
      .catch(fail)
      .finally(() => this.subscriptions.delete(subscription));
    const subscription: Subscription = {
      stop: async () => {
        state.stopped = true;
        state.wake();
        await done;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Sleeps `ms`, or less when stopped or (if `onNotify`) when an append commits. */
  private pause(state: PauseState, ms: number, onNotify: boolean): Promise<void> {
    if (state.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unlisten?.();
        state.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unlisten = onNotify ? this.listener.onNext(done) : undefined;
      state.wake = done;
    });
  }

  /** The last event below the transaction horizon: what `readAll` and the subscriptions can see. */
  async headPosition(): Promise<GlobalPosition | undefined> {
    const rows = await this.pool
      .query<{ c: string; p: string }>(
        `SELECT transaction_id::text AS c, global_position::text AS p FROM scs_events
       WHERE transaction_id < ${HORIZON}
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      )
      .catch((error: unknown) => {
        throw unavailable('read the head position', error);
      });
    const row = rows.rows[0];
    return row && { commit: BigInt(row.c), prepare: BigInt(row.p) };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Stops the subscriptions and the LISTEN connection; the pool belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.listener.close();
  }
}

/**
 * The one LISTEN connection of a store, shared by its subscriptions and opened when the first one
 * waits. After a connection loss it wakes everyone (notifications may have been missed) and connects
 * again with backoff; until then subscribers still poll.
 */
class NotificationListener {
  /** Counts notifications, so a subscriber can tell whether one came while it was reading. */
  generation = 0;
  private readonly waiters = new Set<() => void>();
  private client?: pg.Client;
  private connecting?: Promise<void>;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly logger: AppLogger,
  ) {}

  /** Calls `wake` once on the next notification; returns the function that cancels it. */
  onNext(wake: () => void): () => void {
    this.waiters.add(wake);
    this.ensureConnected();
    return () => this.waiters.delete(wake);
  }

  private notify(): void {
    this.generation++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private ensureConnected(): void {
    if (this.closed || this.client || this.connecting || this.retryTimer) return;
    this.connecting = this.connect().finally(() => (this.connecting = undefined));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.logger.warn(`event notifications: connection lost (${error?.message ?? 'ended'}); listening again`);
      client.end().catch(() => undefined);
      this.notify();
    };
    client.on('notification', () => this.notify());
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query('LISTEN scs_events');
    } catch (error) {
      client.end().catch(() => undefined);
      this.failures++;
      const delay = Math.min(5_000, 100 * 2 ** this.failures);
      this.logger.warn(
        `event notifications: cannot listen (${describeError(error)}); polling, next try in ${delay} ms`,
      );
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (this.waiters.size > 0) this.ensureConnected();
      }, delay);
      return;
    }
    this.failures = 0;
    if (this.closed) await client.end().catch(() => undefined);
    else this.client = client;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    this.notify();
  }
}
