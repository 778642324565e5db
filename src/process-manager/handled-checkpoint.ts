import type { CheckpointStore } from '../ports/checkpoint-store.port.js';
import type { GlobalPosition } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { describeError } from '../shared/describe-error.js';
import { PositionTracker } from './position-tracker.js';

/**
 * The process manager's stored checkpoint: it only passes events whose school has nothing left to do
 * right now, so a restart picks up any school whose work was interrupted. Saves run one after another,
 * so a later checkpoint is never overwritten by an earlier one.
 */
export class HandledCheckpoint {
  private tracker = new PositionTracker();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly name: string,
    private readonly logger: AppLogger,
  ) {}

  /** The stored checkpoint, from which the events are followed again. */
  async load(): Promise<GlobalPosition | undefined> {
    const after = await this.checkpoints.load(this.name);
    this.tracker = new PositionTracker(after);
    return after;
  }

  /** A delivered event of the school, unfinished until a run completes it. */
  track(position: GlobalPosition, schoolId: string): void {
    this.tracker.track(position, schoolId);
  }

  /** The school's events delivered so far: what a run starting now handles if it finishes. */
  pending(schoolId: string): Set<GlobalPosition> {
    return this.tracker.snapshot(schoolId);
  }

  get backlog(): number {
    return this.tracker.backlog;
  }

  /** Marks the events handled, and saves the checkpoint if that moved it. */
  completed(positions: Set<GlobalPosition>): void {
    const checkpoint = this.tracker.complete(positions);
    if (!checkpoint) return;
    this.saving = this.saving
      .then(() => this.checkpoints.save(this.name, this.tracker.checkpoint ?? checkpoint))
      .catch((error) => this.logger.warn(`could not save the process manager checkpoint: ${describeError(error)}`));
  }

  /** Resolves when the saves asked for so far are done (or failed and logged). */
  saved(): Promise<void> {
    return this.saving;
  }
}
