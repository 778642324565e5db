import type { EventStore } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { noLocks, type Locks } from '../ports/locks.port.js';
import { noTelemetry, type Telemetry } from '../ports/telemetry.port.js';
import { Lane, type Held } from './lane.js';
import type { Projection } from './projection.js';
import type { ReadPool } from './queryable.js';

const LOCK_RETRY_MS = 1000;

/**
 * Runs every registered projection in the one replica holding `projection:<name>` (the others wait and
 * take over). The projections this replica holds when it starts share one lane: one subscription from
 * the oldest of their checkpoints and, per batch, one transaction that locks their checkpoint rows,
 * gives each the events after its own checkpoint and saves every checkpoint with the rows (apart, four
 * projections would make four looks at the store and four transactions, 24 statements, per event). A
 * projection taken over later, or one whose apply failed, runs in a lane of its own, restarted from its
 * checkpoint after 2 s, so the others go on.
 */
export class ProjectionRunner {
  private readonly lanes = new Set<Lane>();
  private readonly waiting = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly projections: readonly Projection[],
    private readonly store: EventStore,
    private readonly pool: ReadPool,
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
    const { store, pool, logger, telemetry } = this;
    const lane = new Lane(members, { store, pool, logger, telemetry }, (member) => {
      // The failed projection leaves the lane; the lane goes on without it.
      this.open([member]);
    });
    this.lanes.add(lane);
    void lane.start();
  }
}
