import type { DataSource } from 'typeorm';
import type { EventStore, Subscription } from '../application/ports/event-store.port.js';
import type { AppLogger } from '../application/ports/logger.port.js';
import { noLocks, type Locks } from '../application/ports/locks.port.js';
import { noTelemetry, reportHandled, type Telemetry } from '../application/ports/telemetry.port.js';
import { after, loadCheckpoint, lockCheckpoint, saveCheckpoint } from './checkpoints.js';
import { liveTables, type Projection } from './projection.js';
import { rebuildProjection } from './rebuild.js';
import { recordError, recordState } from './status.js';

/**
 * Runs every registered projection, each on its own subscription from its own checkpoint, in the one
 * replica holding `projection:<name>` (the others wait and take over). A projection that fails is
 * started again from its checkpoint after 2 s; the others go on.
 */
export class ProjectionRunner {
  private readonly running: RunningProjection[];

  constructor(
    projections: readonly Projection[],
    store: EventStore,
    dataSource: DataSource,
    logger: AppLogger,
    locks: Locks = noLocks,
    telemetry: Telemetry = noTelemetry,
  ) {
    this.running = projections.map((p) => new RunningProjection(p, store, dataSource, logger, locks, telemetry));
  }

  async start(): Promise<void> {
    await Promise.all(this.running.map((r) => r.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((r) => r.stop()));
  }
}

class RunningProjection {
  private subscription?: Subscription;
  private lock?: { release(): Promise<void> };
  private stopped = false;
  private leading?: Promise<void>;

  constructor(
    private readonly projection: Projection,
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly logger: AppLogger,
    private readonly locks: Locks,
    private readonly telemetry: Telemetry,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.leading = (async () => {
      while (!this.stopped) {
        const lock = await this.locks.tryLock(`projection:${this.projection.name}`).catch(() => undefined);
        if (lock) {
          this.lock = lock;
          if (!this.stopped) await this.subscribe();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
  }

  /** Never rejects: whatever fails (the checkpoint cannot be read, the subscription stops) is tried again. */
  private async subscribe(): Promise<void> {
    const { name, streamPrefix } = this.projection;
    const manager = this.dataSource.manager;
    let checkpoint;
    try {
      if (await this.projection.needsRebuild?.(manager)) {
        this.logger.log(`projection ${name}: rows of another document version; rebuilding`);
        await rebuildProjection(this.projection, this.store, this.dataSource);
      }
      checkpoint = await loadCheckpoint(manager, name);
    } catch (error) {
      const message = (error as Error).message;
      this.logger.warn(`projection ${name}: cannot start (${message}); trying again in 2 s`);
      await recordError(manager, name, message).catch(() => undefined);
      return this.subscribeLater();
    }
    if (this.stopped) return;
    const tables = liveTables(this.projection);
    const context = { store: this.store };
    const since = Date.now();
    this.subscription = this.store.subscribeToAll({
      after: checkpoint,
      streamPrefix,
      // One transaction per batch the store had ready (up to a page): a burst of schools costs each
      // projection a few transactions, not one per event.
      handleBatch: async (events) => {
        const applied = await this.dataSource.transaction(async (m) => {
          // The checkpoint may have moved past these events (a rebuild swapped in meanwhile): then skip them.
          const fresh = after(events, await lockCheckpoint(m, name));
          if (fresh.length === 0) return fresh;
          await this.projection.apply(m, tables, fresh, context);
          await saveCheckpoint(m, name, fresh[fresh.length - 1].position);
          return fresh;
        });
        // Handled means committed: readers of the projection's tables see these events from now on.
        reportHandled(this.telemetry, `projection:${name}`, since, Date.now(), applied);
      },
      onError: (error) => {
        const message = (error as Error).message;
        this.logger.error(`projection ${name} stopped: ${message}; starting it again in 2 s`);
        void recordError(manager, name, message).catch(() => undefined);
        this.subscribeLater();
      },
    });
    await recordState(manager, name, 'live').catch(() => undefined);
  }

  private subscribeLater(): void {
    if (this.stopped) return;
    setTimeout(() => {
      if (!this.stopped) void this.subscribe();
    }, 2000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.leading?.catch(() => undefined);
    await this.subscription?.stop();
    await this.lock?.release();
  }
}
