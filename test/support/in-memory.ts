import { randomUUID } from 'node:crypto';
import type { CheckpointStore } from '../../src/ports/checkpoint-store.port.js';
import type { Clock, Timers } from '../../src/ports/clock.port.js';
import {
  deliverEvents,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../src/ports/event-store.port.js';
import type { Locks } from '../../src/ports/locks.port.js';

/** An event store in memory, for unit tests of what uses the port (the adapters have the contract suite). */
export class InMemoryEventStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  private readonly wakers = new Set<() => void>();
  /** When set, the next reads fail with it (once each), as a store that cannot be reached. */
  failReads = 0;

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = this.events.filter((e) => e.streamId === streamId);
    const actual = stream.length === 0 ? 'no_stream' : stream.length - 1;
    const ok = expected === 'any' || expected === actual || (expected === 'stream_exists' && actual !== 'no_stream');
    if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
    for (const [i, event] of events.entries()) {
      const n = BigInt(this.events.length + 1);
      this.events.push({
        id: event.id ?? randomUUID(),
        streamId,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        revision: stream.length + i,
        position: { commit: n, prepare: n },
        recordedAt: new Date(),
      });
    }
    for (const wake of this.wakers) wake();
    const last = this.events[this.events.length - 1];
    return { nextExpectedRevision: stream.length + events.length - 1, position: last.position };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('event store unreachable');
    }
    return this.events.filter((e) => e.streamId === streamId);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.after(options.after, options.streamPrefix).slice(0, options.maxCount ?? Infinity);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    let position = options.after;
    let stopped = false;
    let pumping: Promise<void> = Promise.resolve();
    const pump = async () => {
      const events = this.after(position, options.streamPrefix);
      const taken = await deliverEvents(options, events, () => stopped);
      if (taken > 0) position = events[taken - 1].position;
    };
    const wake = () => {
      pumping = pumping.then(pump).catch((error) => options.onError?.(error));
    };
    this.wakers.add(wake);
    wake();
    return {
      stop: async () => {
        stopped = true;
        this.wakers.delete(wake);
        await pumping;
      },
    };
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    return this.events.at(-1)?.position;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  types(streamId: string): string[] {
    return this.events.filter((e) => e.streamId === streamId).map((e) => e.type);
  }

  private after(position: GlobalPosition | undefined, prefix = ''): RecordedEvent[] {
    return this.events.filter(
      (e) => (!position || e.position.commit > position.commit) && e.streamId.startsWith(prefix),
    );
  }
}

export class InMemoryCheckpoints implements CheckpointStore {
  readonly saved = new Map<string, GlobalPosition>();

  async load(name: string): Promise<GlobalPosition | undefined> {
    return this.saved.get(name);
  }

  async save(name: string, position: GlobalPosition): Promise<void> {
    this.saved.set(name, position);
  }
}

/** A clock that moves only when told, and fires the timers that fall due as it moves. */
export class FakeClock implements Clock, Timers {
  private time: number;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  constructor(start = '2026-11-24T10:00:00.000Z') {
    this.time = Date.parse(start);
  }

  now(): Date {
    return new Date(this.time);
  }

  set(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, callback });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers waiting, with how long until each fires. */
  get waiting(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    this.time += ms;
    const due = [...this.pending.entries()].filter(([, t]) => t.at <= this.time).sort(([, a], [, b]) => a.at - b.at);
    for (const [id, timer] of due) {
      this.pending.delete(id);
      timer.callback();
    }
  }
}

/** Locks another replica may hold: `held` names are refused; `broken` makes asking fail. */
export class FakeLocks implements Locks {
  readonly held = new Set<string>();
  readonly taken: string[] = [];
  broken = false;

  async tryLock(name: string): Promise<{ release(): Promise<void> } | undefined> {
    if (this.broken) throw new Error('lock connection lost');
    if (this.held.has(name)) return undefined;
    this.held.add(name);
    this.taken.push(name);
    return {
      release: async () => {
        this.held.delete(name);
      },
    };
  }
}

/** Waits (in real time, a turn at a time) until `ok` holds; the fake clock does not move meanwhile. */
export async function eventually(ok: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (ok()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never: ${what}`);
}

/** Lets pending promise work run for a while (to show that something does NOT happen). */
export async function settle(turns = 200): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
