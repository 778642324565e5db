import type { DataSource, EntityManager } from 'typeorm';
import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type Subscription,
} from '../application/ports/event-store.port.js';
import type { AppLogger } from '../application/ports/logger.port.js';
import { noLocks, type Locks } from '../application/ports/locks.port.js';
import { noTelemetry, reportHandled, type Telemetry } from '../application/ports/telemetry.port.js';
import {
  after,
  beginWithCheckpointsLocked,
  checkpointsWrite,
  loadCheckpoint,
  type SimpleQueries,
} from './checkpoints.js';
import { liveTables, ofProjection, sharedStreamPrefix, type Projection } from './projection.js';
import { rebuildProjection } from './rebuild.js';
import { recordError, recordState } from './status.js';
import { GatheredWrites, immediateWrites, type Writes } from './writes.js';

const RESTART_MS = 2000;
const LOCK_RETRY_MS = 1000;

/** A projection this replica holds (its lock `projection:<name>`), with the lock to release at stop. */
interface Held {
  projection: Projection;
  lock: { release(): Promise<void> };
}

/** A batch failed inside one projection's apply: that projection, not the lane, is at fault. */
class ProjectionFailed extends Error {
  constructor(
    readonly projection: string,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * Runs every registered projection in the one replica holding `projection:<name>` (the others wait and
 * take over). The projections this replica holds when it starts share one lane: one subscription from
 * the oldest of their checkpoints and, per batch, one transaction that locks their checkpoint rows,
 * gives each the events after its own checkpoint and saves every checkpoint with the rows. Apart, four
 * projections made four looks at the store and four transactions (24 statements) per event. A projection
 * taken over later, or one whose apply failed, runs in a lane of its own, restarted from its checkpoint
 * after 2 s, so the others go on.
 */
export class ProjectionRunner {
  private readonly lanes = new Set<Lane>();
  private readonly waiting = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly projections: readonly Projection[],
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly logger: AppLogger,
    private readonly locks: Locks = noLocks,
    private readonly telemetry: Telemetry = noTelemetry,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const held: Held[] = [];
    const elsewhere: Projection[] = [];
    for (const projection of this.projections) {
      const lock = await this.tryLock(projection);
      if (lock) held.push({ projection, lock });
      else elsewhere.push(projection);
    }
    if (held.length > 0) this.open(held);
    for (const projection of elsewhere) this.takeOverLater(projection);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.waiting]);
    await Promise.all([...this.lanes].map((lane) => lane.stop()));
    this.lanes.clear();
  }

  private tryLock(projection: Projection): Promise<Held['lock'] | undefined> {
    return this.locks.tryLock(`projection:${projection.name}`).catch(() => undefined);
  }

  /** Held by another replica (or the lock could not be asked for): look again every second. */
  private takeOverLater(projection: Projection): void {
    const waiting = (async () => {
      while (!this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
        if (this.stopped) return;
        const lock = await this.tryLock(projection);
        if (lock && this.stopped) await lock.release();
        else if (lock) return this.open([{ projection, lock }]);
      }
    })().finally(() => this.waiting.delete(waiting));
    this.waiting.add(waiting);
  }

  private open(members: Held[]): void {
    const lane = new Lane(members, this.store, this.dataSource, this.logger, this.telemetry, (member) => {
      // The failed projection leaves the lane; the lane goes on without it.
      this.open([member]);
    });
    this.lanes.add(lane);
    void lane.start();
  }
}

/** The gathered writes of a batch failed: whose, the lane learns by sending them one by one. */
class GatheredWritesFailed extends Error {
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * A member's stored checkpoint is behind what this lane committed for it: a batch it saw committed is
 * gone (the database crashed before that commit reached the disk, or failed over to a standby that never
 * had it). Reading on from the subscription would skip those events for good: the lane starts again
 * from the stored checkpoints instead.
 */
class CheckpointBehind extends Error {
  constructor(name: string, stored: GlobalPosition | undefined, committed: GlobalPosition) {
    const at = (p: GlobalPosition | undefined) => (p ? `${p.commit}/${p.prepare}` : 'none');
    super(
      `the checkpoint of ${name} (${at(stored)}) is behind what it committed (${at(committed)}): a committed batch ` +
        'was lost with the database (a crash or a failover); applying those events again',
    );
  }
}

/** Projections sharing a subscription and a transaction per batch. */
class Lane {
  private subscription?: Subscription;
  /** Per member, the position of the last batch this lane saw committed since it (re)started. */
  private readonly committed = new Map<string, GlobalPosition>();
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /** Members that failed and left, until their lane of their own opens. */
  private readonly leaving = new Set<Held>();

  constructor(
    private members: Held[],
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly logger: AppLogger,
    private readonly telemetry: Telemetry,
    private readonly split: (member: Held) => void,
  ) {}

  private get names(): string[] {
    return this.members.map((m) => m.projection.name);
  }

  /** Never rejects: whatever fails (a checkpoint cannot be read, the subscription stops) is tried again. */
  async start(): Promise<void> {
    const manager = this.dataSource.manager;
    let from: GlobalPosition | undefined;
    this.committed.clear(); // from here on the stored checkpoints are the truth again
    try {
      const positions: Array<GlobalPosition | undefined> = [];
      for (const { projection } of this.members) {
        if (await projection.needsRebuild?.(manager)) {
          this.logger.log(`projection ${projection.name}: rows of another document version; rebuilding`);
          await rebuildProjection(projection, this.store, this.dataSource);
        }
        positions.push(await loadCheckpoint(manager, projection.name));
      }
      // From the oldest checkpoint: each batch gives a projection only the events after its own.
      from = positions.reduce((a, b) => (a === undefined || b === undefined ? undefined : earlier(a, b)));
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`projections ${this.names.join(', ')}: cannot start (${message}); trying again in 2 s`);
      for (const name of this.names) await recordError(manager, name, message).catch(() => undefined);
      return this.restartLater();
    }
    if (this.stopped) return;
    const prefix = sharedStreamPrefix(this.members.map((m) => m.projection));
    const since = Date.now();
    this.subscription = this.store.subscribeToAll({
      after: from,
      streamPrefix: prefix,
      handleBatch: async (events) => {
        const applied = await this.applyBatch(events, prefix);
        for (const [name, fresh] of applied) this.committed.set(name, fresh[fresh.length - 1].position);
        // Handled means committed: readers of the projections' tables see these events from now on.
        const now = Date.now();
        for (const [name, fresh] of applied) reportHandled(this.telemetry, `projection:${name}`, since, now, fresh);
      },
      onError: (error) => this.failed(error),
    });
    for (const name of this.names) await recordState(manager, name, 'live').catch(() => undefined);
  }

  /**
   * One batch in one transaction: the members' checkpoints locked (a rebuild's swap may have moved one
   * past these events: then it skips them), each member's events applied, the new checkpoints saved.
   * Round trips: `BEGIN` with the locks, the members' reads, their writes with the checkpoints as one
   * statement, `COMMIT`: six for today's four projections (eleven when each statement went alone).
   */
  private async applyBatch(events: RecordedEvent[], readPrefix: string | undefined) {
    try {
      return await this.inTransaction((connection, manager) => this.apply(connection, manager, events, readPrefix));
    } catch (error) {
      if (!(error instanceof GatheredWritesFailed)) throw error;
      // Sent together, the members' writes failed together: once more with each write sent alone, so
      // that a failing member is named (and leaves the lane) while the others go on.
      return this.inTransaction((connection, manager) =>
        this.apply(connection, manager, events, readPrefix, immediateWrites(manager)),
      );
    }
  }

  private async inTransaction<T>(work: (connection: SimpleQueries, manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const connection = (await runner.connect()) as SimpleQueries;
    try {
      const result = await work(connection, runner.manager);
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Opens the batch's transaction (`BEGIN` with the locks) on `connection`; the caller ends it. */
  private async apply(
    connection: SimpleQueries,
    manager: EntityManager,
    events: RecordedEvent[],
    readPrefix: string | undefined,
    immediate?: Writes,
  ): Promise<Map<string, RecordedEvent[]>> {
    const checkpoints = await beginWithCheckpointsLocked(connection, manager, this.names);
    for (const name of this.names) {
      const [stored, committed] = [checkpoints.get(name), this.committed.get(name)];
      if (committed && (!stored || comparePositions(stored, committed) < 0))
        throw new CheckpointBehind(name, stored, committed);
    }
    const applied = new Map<string, RecordedEvent[]>();
    const gathered = new GatheredWrites();
    const writes = immediate ?? gathered;
    const context = { store: this.store, writes };
    for (const { projection } of this.members) {
      const fresh = ofProjection(projection, after(events, checkpoints.get(projection.name)), readPrefix);
      if (fresh.length === 0) continue;
      try {
        await projection.apply(manager, liveTables(projection), fresh, context);
      } catch (error) {
        throw new ProjectionFailed(projection.name, error);
      }
      applied.set(projection.name, fresh);
    }
    if (applied.size === 0) return applied;
    const positions = [...applied].map(([name, fresh]) => [name, fresh[fresh.length - 1].position] as const);
    await writes.add(checkpointsWrite(positions));
    for (const statement of gathered.statements()) {
      await manager.query(statement.text, statement.params).catch((error: unknown) => {
        throw new GatheredWritesFailed(error);
      });
    }
    return applied;
  }

  private failed(error: unknown): void {
    const manager = this.dataSource.manager;
    const culprit = error instanceof ProjectionFailed ? error.projection : undefined;
    const message = error instanceof ProjectionFailed ? error.message : (error as Error).message;
    for (const name of culprit ? [culprit] : this.names) {
      this.logger.error(`projection ${name} stopped: ${message}; starting it again in 2 s`);
      void recordError(manager, name, message).catch(() => undefined);
    }
    this.subscription = undefined;
    const member = this.members.find((m) => m.projection.name === culprit);
    if (member && this.members.length > 1) {
      // The others should not wait on it: they go on at once, it starts again alone in 2 s.
      this.members = this.members.filter((m) => m !== member);
      this.leaving.add(member);
      setTimeout(() => {
        if (this.stopped || !this.leaving.delete(member)) return;
        this.split(member);
      }, RESTART_MS).unref();
      void this.start();
      return;
    }
    this.restartLater();
  }

  private restartLater(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => !this.stopped && void this.start(), RESTART_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.subscription?.stop();
    await Promise.all([...this.members, ...this.leaving].map((m) => m.lock.release()));
    this.leaving.clear();
  }
}

function earlier(a: GlobalPosition, b: GlobalPosition): GlobalPosition {
  return comparePositions(a, b) <= 0 ? a : b;
}
