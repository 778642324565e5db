import type { GlobalPosition } from '../ports/event-store.port.js';

interface Entry {
  position: GlobalPosition;
  key: string;
  done: boolean;
}

/**
 * Tracks which delivered events have been fully handled, so that the stored checkpoint never passes
 * an event whose work is unfinished: after a crash, handling resumes from the first unfinished one.
 *
 * Every operation costs what it touches, not the backlog: a process manager catching up reads far ahead
 * of its handling (tens of thousands of events), and a scan of the whole backlog per event would spend
 * most of its CPU here.
 */
export class PositionTracker {
  /** In delivery order; `head` is the first not yet passed by the checkpoint (compacted now and then). */
  private order: Entry[] = [];
  private head = 0;
  /** The unfinished entries of each key, and every unfinished entry by its position. */
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly byPosition = new Map<GlobalPosition, Entry>();
  private handledUpTo: GlobalPosition | undefined;

  constructor(start?: GlobalPosition) {
    this.handledUpTo = start;
  }

  track(position: GlobalPosition, key: string): number {
    const entry = { position, key, done: false };
    this.order.push(entry);
    this.byPosition.set(position, entry);
    let entries = this.byKey.get(key);
    if (!entries) this.byKey.set(key, (entries = new Set()));
    entries.add(entry);
    return this.backlog;
  }

  /** Positions tracked so far for `key` (a snapshot the caller completes when its work is done). */
  snapshot(key: string): Set<GlobalPosition> {
    return new Set([...(this.byKey.get(key) ?? [])].map((e) => e.position));
  }

  /** Marks the given positions handled; returns the new checkpoint when it advanced. */
  complete(positions: Set<GlobalPosition>): GlobalPosition | undefined {
    for (const position of positions) {
      const entry = this.byPosition.get(position);
      if (!entry) continue;
      entry.done = true;
      this.byPosition.delete(position);
      const entries = this.byKey.get(entry.key);
      entries?.delete(entry);
      if (entries?.size === 0) this.byKey.delete(entry.key);
    }
    let advanced: GlobalPosition | undefined;
    while (this.head < this.order.length && this.order[this.head].done) advanced = this.order[this.head++].position;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    if (advanced) this.handledUpTo = advanced;
    return advanced;
  }

  get checkpoint(): GlobalPosition | undefined {
    return this.handledUpTo;
  }

  get backlog(): number {
    return this.order.length - this.head;
  }
}
