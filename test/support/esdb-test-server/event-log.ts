/** One event as the log holds it. A node writes each appended event as its own self-committed record. */
export interface StoredEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the `created` metadata value carries them. */
  readonly createdTicks: string;
  /** Where the record starts in the log: both the commit and the prepare position of the event. */
  readonly position: bigint;
  /** Where the next record starts; reading $all backwards from a position returns events that end by it. */
  readonly postPosition: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export type ExpectedRevision =
  | { readonly kind: 'revision'; readonly revision: bigint }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'any' }
  | { readonly kind: 'stream_exists' };

/** `currentRevision` -1 means the stream has no events. */
export type AppendOutcome =
  | { readonly kind: 'success'; readonly currentRevision: number; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number };

export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

type CommitCheck =
  { kind: 'write' } | { kind: 'idempotent'; lastRevision: number } | { kind: 'wrong_expected_version' };

const NO_STREAM = -1;
// Sizes of LogV2 records: a prepare's fixed fields plus length prefix and suffix, then its strings and
// payloads. Only the shape matters to callers (positions are byte offsets, gaps between them vary).
const PREPARE_OVERHEAD = 88n;
const EMPTY_PREPARE_SIZE = PREPARE_OVERHEAD + 2n;

const utf8Length = (text: string): bigint => BigInt(Buffer.byteLength(text, 'utf8'));

function recordSize(streamName: string, event: ProposedEvent): bigint {
  return (
    PREPARE_OVERHEAD +
    2n +
    utf8Length(streamName) +
    utf8Length(event.type) +
    BigInt(event.data.length + event.metadata.length)
  );
}

const ticksNow = (): string => (BigInt(Date.now()) * 10_000n).toString();

/** TFPos ordering: commit position first, then prepare position. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export const positionOf = (event: StoredEvent): LogPosition => ({ commit: event.position, prepare: event.position });

/**
 * What a fresh node's default $all read leaves out: `$epoch-information` and the checkpoints and parked
 * messages of persistent subscriptions to $all (EventFilter.DefaultAllFilter on the server).
 */
export function isHiddenFromAll(event: StoredEvent): boolean {
  const name = event.streamName;
  if (!name.startsWith('$')) return false;
  if (name === '$epoch-information') return true;
  const persistentAll = name.startsWith('$persistentsubscription-$all::');
  return persistentAll && (name.endsWith('-checkpoint') || name.endsWith('-parked'));
}

/**
 * The transaction file and the stream index, in memory: one array of events in log order plus per-stream index
 * arrays.
 */
export class EventLog {
  private readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, number[]>();
  private readonly idsByStream = new Map<string, Map<string, number>>();
  private readonly waiters = new Set<() => void>();
  private nextPosition = 0n;
  private visible = 0;

  get length(): number {
    return this.events.length;
  }

  /** Events a default $all read returns. */
  get visibleCount(): number {
    return this.visible;
  }

  /** The log position the next record will take: where a subscription confirmed now stands. */
  get endPosition(): bigint {
    return this.nextPosition;
  }

  at(index: number): StoredEvent {
    return this.events[index]!;
  }

  streamIndexes(streamName: string): readonly number[] {
    return this.streams.get(streamName) ?? [];
  }

  currentRevision(streamName: string): number {
    return this.streamIndexes(streamName).length - 1;
  }

  /** Leaves room for a record that is not an event (a node's epoch record). */
  reserve(bytes: bigint): void {
    this.nextPosition += bytes;
  }

  append(streamName: string, expected: ExpectedRevision, proposed: readonly ProposedEvent[]): AppendOutcome {
    const current = this.currentRevision(streamName);
    const check = this.checkCommit(streamName, expected, proposed, current);
    switch (check.kind) {
      case 'wrong_expected_version':
        return { kind: 'wrong_expected_version', currentRevision: current };
      case 'idempotent': {
        const event = this.at(this.streamIndexes(streamName)[check.lastRevision]!);
        return { kind: 'success', currentRevision: check.lastRevision, position: event.position };
      }
      case 'write':
        return this.write(streamName, proposed, current);
    }
  }

  /** Index of the first event at or after `from` (reading $all forwards is inclusive). */
  firstIndexFrom(from: LogPosition): number {
    return this.search((event) => comparePositions(positionOf(event), from) >= 0);
  }

  /** Index of the first event after `from` (subscriptions resume after their checkpoint). */
  firstIndexAfter(from: LogPosition): number {
    return this.search((event) => comparePositions(positionOf(event), from) > 0);
  }

  /** Number of leading events whose record ends by `to` (reading $all backwards from `to`). */
  countEndingBy(to: LogPosition): number {
    return this.search(
      (event) => comparePositions({ commit: event.postPosition, prepare: event.postPosition }, to) > 0,
    );
  }

  /** Resolves after the next append, or at once if `signal` aborts. */
  nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** First index whose event satisfies `isPast`, which must be monotonic over the log. */
  private search(isPast: (event: StoredEvent) => boolean): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isPast(this.events[middle]!)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * The server's IndexWriter.CheckCommit for a stream that is not deleted. A retry is recognised by
   * event ids: for `any`/`stream_exists` anywhere in the stream, in request order; for an exact
   * revision or `no_stream`, at the revisions the expected revision puts them. A partial match is
   * answered as a wrong expected version (CorruptedIdempotency).
   */
  private checkCommit(
    streamName: string,
    expected: ExpectedRevision,
    proposed: readonly ProposedEvent[],
    current: number,
  ): CommitCheck {
    switch (expected.kind) {
      case 'stream_exists':
        if (current === NO_STREAM) return { kind: 'wrong_expected_version' };
        return this.checkIdsAnywhere(streamName, proposed);
      case 'any':
        return this.checkIdsAnywhere(streamName, proposed);
      case 'no_stream':
        return this.checkIdsAt(streamName, NO_STREAM, proposed, current);
      case 'revision':
        // Beyond any stream's reach, so the same answer as a revision past the end.
        if (expected.revision > BigInt(Number.MAX_SAFE_INTEGER)) return { kind: 'wrong_expected_version' };
        return this.checkIdsAt(streamName, Number(expected.revision), proposed, current);
    }
  }

  private checkIdsAnywhere(streamName: string, proposed: readonly ProposedEvent[]): CommitCheck {
    const ids = this.idsByStream.get(streamName);
    let lastRevision = NO_STREAM;
    for (const [offset, event] of proposed.entries()) {
      const revision = ids?.get(event.id);
      if (revision === undefined) return offset === 0 ? { kind: 'write' } : { kind: 'wrong_expected_version' };
      lastRevision = revision;
    }
    return proposed.length === 0 ? { kind: 'write' } : { kind: 'idempotent', lastRevision };
  }

  private checkIdsAt(
    streamName: string,
    expected: number,
    proposed: readonly ProposedEvent[],
    current: number,
  ): CommitCheck {
    if (expected === current) return { kind: 'write' };
    if (expected > current || proposed.length === 0) return { kind: 'wrong_expected_version' };
    const indexes = this.streamIndexes(streamName);
    for (const [offset, event] of proposed.entries()) {
      const index = indexes[expected + 1 + offset];
      if (index === undefined || this.at(index).id !== event.id) return { kind: 'wrong_expected_version' };
    }
    return { kind: 'idempotent', lastRevision: expected + proposed.length };
  }

  private write(streamName: string, proposed: readonly ProposedEvent[], current: number): AppendOutcome {
    if (proposed.length === 0) {
      // The node still writes an empty prepare: the append takes a log position but adds no event.
      const position = this.nextPosition;
      this.nextPosition += EMPTY_PREPARE_SIZE + utf8Length(streamName);
      return { kind: 'success', currentRevision: current, position };
    }
    const indexes = this.streams.get(streamName) ?? [];
    const ids = this.idsByStream.get(streamName) ?? new Map<string, number>();
    this.streams.set(streamName, indexes);
    this.idsByStream.set(streamName, ids);
    const createdTicks = ticksNow();
    let last: StoredEvent | undefined;
    for (const event of proposed) {
      const position = this.nextPosition;
      this.nextPosition += recordSize(streamName, event);
      last = {
        ...event,
        streamName,
        revision: indexes.length,
        createdTicks,
        position,
        postPosition: this.nextPosition,
      };
      ids.set(event.id, last.revision);
      indexes.push(this.events.length);
      this.events.push(last);
      if (!isHiddenFromAll(last)) this.visible += 1;
    }
    for (const wake of [...this.waiters]) wake();
    // Like the node, answer with the last event's record position as both commit and prepare.
    return { kind: 'success', currentRevision: last!.revision, position: last!.position };
  }
}
