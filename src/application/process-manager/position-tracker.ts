import type { GlobalPosition } from '../ports/event-store.port.js';

/**
 * Tracks which delivered events have been fully handled, so that the stored checkpoint never passes
 * an event whose work is unfinished: after a crash, handling resumes from the first unfinished one.
 */
export class PositionTracker {
  private readonly pending: Array<{ position: GlobalPosition; key: string; done: boolean }> = [];
  private handledUpTo: GlobalPosition | undefined;

  constructor(start?: GlobalPosition) {
    this.handledUpTo = start;
  }

  track(position: GlobalPosition, key: string): number {
    this.pending.push({ position, key, done: false });
    return this.pending.length;
  }

  /** Positions tracked so far for `key` (a snapshot the caller completes when its work is done). */
  snapshot(key: string): Set<GlobalPosition> {
    return new Set(this.pending.filter((p) => p.key === key && !p.done).map((p) => p.position));
  }

  /** Marks the given positions handled; returns the new checkpoint when it advanced. */
  complete(positions: Set<GlobalPosition>): GlobalPosition | undefined {
    for (const entry of this.pending) if (positions.has(entry.position)) entry.done = true;
    let advanced: GlobalPosition | undefined;
    while (this.pending.length > 0 && this.pending[0].done) advanced = this.pending.shift()!.position;
    if (advanced) this.handledUpTo = advanced;
    return advanced;
  }

  get checkpoint(): GlobalPosition | undefined {
    return this.handledUpTo;
  }

  get backlog(): number {
    return this.pending.length;
  }
}
