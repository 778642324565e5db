import type { Timers } from '../ports/clock.port.js';

export interface SchoolLanesOptions {
  /** Schools worked on at once. */
  concurrency: number;
  /** What the waits before a school is looked at again use. */
  timers: Timers;
  /** True once the owner stops: nothing new is started or waited for. */
  stopping: () => boolean;
}

/**
 * Where the work on each school runs: one run at a time per school (an event that arrives meanwhile makes
 * it run once more after), at most `concurrency` schools at once (the others wait in the order they came),
 * and a school looked at again after a wait (a retry's time, a lock another replica holds).
 */
export class SchoolLanes {
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  /** Schools waiting for a free slot, in the order they came (a Set: each once, found at once). */
  private readonly queue = new Set<string>();
  private readonly waits = new Map<string, unknown>();

  constructor(
    private readonly work: (schoolId: string) => Promise<void>,
    private readonly options: SchoolLanesOptions,
  ) {}

  get status(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.queue.size };
  }

  /** Works on the school now, after its current run, or when a slot is free; a pending wait is cancelled. */
  schedule(schoolId: string): void {
    if (this.options.stopping()) return;
    this.cancelWait(schoolId);
    if (this.running.has(schoolId)) {
      this.rerun.add(schoolId);
      return;
    }
    if (this.running.size >= this.options.concurrency) {
      this.queue.add(schoolId);
      return;
    }
    const run = this.work(schoolId).finally(() => this.finished(schoolId));
    this.running.set(schoolId, run);
  }

  /** Schedules the school again in `ms`. */
  lookAgain(schoolId: string, ms: number): void {
    if (this.options.stopping()) return;
    this.waits.set(
      schoolId,
      this.options.timers.set(() => {
        this.waits.delete(schoolId);
        this.schedule(schoolId);
      }, ms),
    );
  }

  /** Drops the waits and the queue, and waits for the runs under way. */
  async drain(): Promise<void> {
    for (const wait of this.waits.values()) this.options.timers.clear(wait);
    this.waits.clear();
    this.queue.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private cancelWait(schoolId: string): void {
    const wait = this.waits.get(schoolId);
    if (!wait) return;
    this.options.timers.clear(wait);
    this.waits.delete(schoolId);
  }

  private finished(schoolId: string): void {
    this.running.delete(schoolId);
    const again = this.rerun.delete(schoolId);
    if (again) this.schedule(schoolId);
    const next = this.queue.values().next();
    if (!next.done) {
      this.queue.delete(next.value);
      this.schedule(next.value);
    }
  }
}
