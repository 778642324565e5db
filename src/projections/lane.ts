import {
  comparePositions,
  type EventStore,
  type GlobalPosition,
  type Subscription,
} from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { reportHandled, type Telemetry } from '../ports/telemetry.port.js';
import { loadCheckpoint } from './checkpoints.js';
import { applyLaneBatch, ProjectionFailed } from './lane-batch.js';
import { sharedStreamPrefix, type Projection } from './projection.js';
import type { ReadPool } from './queryable.js';
import { rebuildProjection } from './rebuild.js';
import { recordError, recordState } from './status.js';

const RESTART_MS = 2000;

/** A projection this replica holds (its lock `projection:<name>`), with the lock to release at stop. */
export interface Held {
  projection: Projection;
  lock: { release(): Promise<void> };
}

/** What a lane works with: the store, the read side, where it logs and reports. */
export interface LaneDeps {
  store: EventStore;
  pool: ReadPool;
  logger: AppLogger;
  telemetry: Telemetry;
}

/** Projections sharing a subscription and a transaction per batch. */
export class Lane {
  private subscription?: Subscription;
  /** Per member, the position of the last batch this lane saw committed since it (re)started. */
  private readonly committed = new Map<string, GlobalPosition>();
  private stopped = false;
  private timer?: NodeJS.Timeout;
  /** Members that failed and left, until their lane of their own opens. */
  private readonly leaving = new Set<Held>();

  constructor(
    private members: Held[],
    private readonly deps: LaneDeps,
    private readonly split: (member: Held) => void,
  ) {}

  private get names(): string[] {
    return this.members.map((m) => m.projection.name);
  }

  /** Never rejects: whatever fails (a checkpoint cannot be read, the subscription stops) is tried again. */
  async start(): Promise<void> {
    const { pool, logger } = this.deps;
    let from: GlobalPosition | undefined;
    this.committed.clear(); // from here on the stored checkpoints are the truth again
    try {
      from = await this.prepare();
    } catch (error) {
      const message = (error as Error).message;
      logger.warn(`projections ${this.names.join(', ')}: cannot start (${message}); trying again in 2 s`);
      for (const name of this.names) await recordError(pool, name, message).catch(() => undefined);
      return this.restartLater();
    }
    if (this.stopped) return;
    this.subscribe(from);
    for (const name of this.names) await recordState(pool, name, 'live').catch(() => undefined);
  }

  /** Rebuilds a member whose rows are of another version; returns the oldest of the members' checkpoints. */
  private async prepare(): Promise<GlobalPosition | undefined> {
    const { pool, store, logger } = this.deps;
    const positions: Array<GlobalPosition | undefined> = [];
    for (const { projection } of this.members) {
      if (await projection.needsRebuild?.(pool)) {
        logger.log(`projection ${projection.name}: rows of another document version; rebuilding`);
        await rebuildProjection(projection, store, pool);
      }
      positions.push(await loadCheckpoint(pool, projection.name));
    }
    // From the oldest checkpoint: each batch gives a projection only the events after its own.
    return positions.reduce((a, b) => (a === undefined || b === undefined ? undefined : earlier(a, b)));
  }

  private subscribe(from: GlobalPosition | undefined): void {
    const { store, pool, telemetry } = this.deps;
    const readPrefix = sharedStreamPrefix(this.members.map((m) => m.projection));
    const since = Date.now();
    this.subscription = store.subscribeToAll({
      after: from,
      streamPrefix: readPrefix,
      handleBatch: async (events) => {
        const members = this.members.map((m) => m.projection);
        const batch = { members, committed: this.committed, store, events, readPrefix };
        const applied = await applyLaneBatch(pool, batch);
        for (const [name, fresh] of applied) this.committed.set(name, fresh[fresh.length - 1].position);
        // Handled means committed: readers of the projections' tables see these events from now on.
        const now = Date.now();
        for (const [name, fresh] of applied) reportHandled(telemetry, `projection:${name}`, since, now, fresh);
      },
      onError: (error) => this.failed(error),
    });
  }

  private failed(error: unknown): void {
    const culprit = error instanceof ProjectionFailed ? error.projection : undefined;
    const message = error instanceof ProjectionFailed ? error.message : (error as Error).message;
    for (const name of culprit ? [culprit] : this.names) {
      this.deps.logger.error(`projection ${name} stopped: ${message}; starting it again in 2 s`);
      void recordError(this.deps.pool, name, message).catch(() => undefined);
    }
    this.subscription = undefined;
    const member = this.members.find((m) => m.projection.name === culprit);
    if (member && this.members.length > 1) return this.leave(member);
    this.restartLater();
  }

  /** The others should not wait on a failed member: they go on at once, it starts again alone in 2 s. */
  private leave(member: Held): void {
    this.members = this.members.filter((m) => m !== member);
    this.leaving.add(member);
    setTimeout(() => {
      if (this.stopped || !this.leaving.delete(member)) return;
      this.split(member);
    }, RESTART_MS).unref();
    void this.start();
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
