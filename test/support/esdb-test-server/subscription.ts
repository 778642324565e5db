import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  isHiddenFromAll,
  positionOf,
  type EventLog,
  type LogPosition,
  type StoredEvent,
} from './event-log.js';
import type { ResponseStream } from './calls.js';
import { checkpointResponse, eventResponse, streamsPb, type UuidFormat } from './proto.js';
import type { AllFrom, StreamFrom } from './read.js';

type FilterOptions = InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>;

// The server's Enumerator constants: catch-up reads 32 events a page, and a live subscriber that lets
// more than 32 events pile up overflows its live buffer and is sent back to catching up.
const READ_BATCH_SIZE = 32;
const LIVE_BUFFER = 32;
const HEAD_OF_LOG: LogPosition = { commit: -1n, prepare: -1n };

const maxPosition = (a: LogPosition, b: LogPosition): LogPosition => (comparePositions(a, b) >= 0 ? a : b);

async function confirm(responses: ResponseStream): Promise<boolean> {
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID());
  return responses.send(new streamsPb.ReadResp().setConfirmation(confirmation));
}

const caughtUp = (responses: ResponseStream): Promise<boolean> =>
  responses.send(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));

/**
 * Catch-up and live are one walk over the log, so the switch can neither skip nor repeat an event:
 * `caught_up` is sent whenever the walk reaches the end of the log after catching up.
 */
async function follow(
  log: EventLog,
  responses: ResponseStream,
  nextEvent: () => StoredEvent | undefined,
  backlog: () => number,
  format: UuidFormat,
): Promise<void> {
  let live = false;
  while (!responses.signal.aborted) {
    const event = nextEvent();
    if (event === undefined) {
      if (!live && !(await caughtUp(responses))) return;
      live = true;
      await log.nextAppend(responses.signal);
      continue;
    }
    if (backlog() > LIVE_BUFFER) live = false;
    if (!(await responses.send(eventResponse(event, format)))) return;
  }
}

/** subscribeToStream: revisions after `from` (exclusive), then live; a missing stream simply waits. */
export async function subscribeToStream(
  log: EventLog,
  streamName: string,
  from: StreamFrom,
  format: UuidFormat,
  responses: ResponseStream,
): Promise<void> {
  const confirmedRevision = log.currentRevision(streamName);
  if (!(await confirm(responses))) return;
  let next = from === 'start' ? 0 : from === 'end' ? confirmedRevision + 1 : Number(from) + 1;
  const nextEvent = (): StoredEvent | undefined => {
    const index = log.streamIndexes(streamName)[next];
    if (index === undefined) return undefined;
    next += 1;
    return log.at(index);
  };
  await follow(log, responses, nextEvent, () => log.streamIndexes(streamName).length - next, format);
}

/** subscribeToAll: events after `from` (exclusive), then live; filtered ones also get checkpoints. */
export async function subscribeToAll(
  log: EventLog,
  from: AllFrom,
  filter: FilterOptions | undefined,
  format: UuidFormat,
  responses: ResponseStream,
): Promise<void> {
  if (filter) return new FilteredAllSubscription(log, from, filter, format, responses).run();
  const confirmedLength = log.length;
  if (!(await confirm(responses))) return;
  let next = from === 'start' ? 0 : from === 'end' ? confirmedLength : log.firstIndexAfter(from);
  const nextEvent = (): StoredEvent | undefined => {
    while (next < log.length) {
      const event = log.at(next);
      next += 1;
      if (!isHiddenFromAll(event)) return event;
    }
    return undefined;
  };
  await follow(log, responses, nextEvent, () => log.length - next, format);
}

function eventFilter(filter: FilterOptions): (event: StoredEvent) => boolean {
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const field = (event: StoredEvent): string => (onType ? event.type : event.streamName);
  const regex = expression.getRegex();
  // .NET's Regex.Match is unanchored, as JavaScript's test() is; both accept the patterns clients send.
  const matches = regex
    ? (value: string) => new RegExp(regex).test(value)
    : (value: string) => expression.getPrefixList().some((prefix) => value.startsWith(prefix));
  return (event) => !isHiddenFromAll(event) && matches(field(event));
}

/**
 * The server's AllSubscriptionFiltered. Catching up, it reads pages (32 matching events, or
 * `maxSearchWindow` events considered); once `maxSearchWindow × checkpointIntervalMultiplier`
 * events have been considered it sends a checkpoint at the later of the last event sent and the page's
 * start, and it sends one more when a page reaches the end of the log, just before `caught_up`.
 * Live, every that-many-th event appended after the subscription was confirmed yields a checkpoint at
 * its own position, whether or not it matched.
 */
class FilteredAllSubscription {
  private readonly allowed: (event: StoredEvent) => boolean;
  private readonly window: number;
  private readonly interval: number;
  private readonly confirmedLength: number;
  private readonly pendingLiveCheckpoints: LogPosition[] = [];
  private next: number;
  private pageStart: LogPosition;
  /** The last event or checkpoint sent: later events go out, later-or-equal checkpoints go out. */
  private checkpoint: LogPosition;
  private lastCheckpointSent: LogPosition = HEAD_OF_LOG;

  constructor(
    private readonly log: EventLog,
    from: AllFrom,
    filter: FilterOptions,
    private readonly format: UuidFormat,
    private readonly responses: ResponseStream,
  ) {
    this.allowed = eventFilter(filter);
    this.window = filter.hasMax() ? filter.getMax() : READ_BATCH_SIZE;
    this.interval = Math.max(1, filter.getCheckpointintervalmultiplier()) * this.window;
    this.confirmedLength = log.length;
    const lastIndexed = log.length > 0 ? positionOf(log.at(log.length - 1)) : HEAD_OF_LOG;
    this.checkpoint = from === 'start' ? HEAD_OF_LOG : from === 'end' ? lastIndexed : from;
    this.pageStart = from === 'start' ? { commit: 0n, prepare: 0n } : this.checkpoint;
    this.next = from === 'start' ? 0 : from === 'end' ? log.length : log.firstIndexFrom(this.checkpoint);
  }

  async run(): Promise<void> {
    if (!(await confirm(this.responses))) return;
    const lastIndexed = this.log.length > 0 ? positionOf(this.log.at(this.log.length - 1)) : HEAD_OF_LOG;
    let catchingUp = comparePositions(this.checkpoint, lastIndexed) < 0;
    while (!this.responses.signal.aborted) {
      const ok = catchingUp ? await this.catchUp() : await this.goLive();
      if (!ok) return;
      catchingUp = !catchingUp;
    }
  }

  /** Pages until one reaches the end of the log. */
  private async catchUp(): Promise<boolean> {
    let considered = 0;
    for (;;) {
      const page = await this.readPage();
      if (page === undefined) return false;
      considered += page.considered;
      if (page.endOfLog) return this.sendCheckpoint(maxPosition(this.checkpoint, page.start));
      if (considered >= this.interval) {
        considered %= this.interval;
        if (!(await this.sendCheckpoint(maxPosition(this.checkpoint, page.start)))) return false;
      }
    }
  }

  private async readPage(): Promise<{ start: LogPosition; considered: number; endOfLog: boolean } | undefined> {
    const start = this.pageStart;
    let considered = 0;
    let matched = 0;
    while (matched < READ_BATCH_SIZE && considered < this.window) {
      if (this.next >= this.log.length) return { start, considered, endOfLog: true };
      const event = this.log.at(this.next);
      this.noteLiveCheckpoint(this.next, event);
      this.next += 1;
      considered += 1;
      this.pageStart = { commit: event.postPosition, prepare: 0n };
      if (!this.allowed(event)) continue;
      matched += 1;
      if (!(await this.sendEvent(event))) return undefined;
    }
    return { start, considered, endOfLog: false };
  }

  /**
   * Live until the subscriber lets the live buffer overflow; then it falls behind and catches up from its
   * checkpoint.
   */
  private async goLive(): Promise<boolean> {
    if (!(await caughtUp(this.responses))) return false;
    for (const position of this.pendingLiveCheckpoints.splice(0)) {
      if (comparePositions(position, this.checkpoint) >= 0 && !(await this.sendCheckpoint(position))) return false;
    }
    while (!this.responses.signal.aborted) {
      if (this.next >= this.log.length) {
        await this.log.nextAppend(this.responses.signal);
        continue;
      }
      if (this.log.length - this.next > LIVE_BUFFER) {
        if (!(await this.sendCheckpoint(this.checkpoint))) return false;
        this.pageStart = this.checkpoint;
        this.next = this.log.firstIndexFrom(this.checkpoint);
        return true;
      }
      const index = this.next;
      const event = this.log.at(index);
      this.next += 1;
      if (this.allowed(event) && !(await this.sendEvent(event))) return false;
      if (
        this.isLiveCheckpoint(index) &&
        comparePositions(positionOf(event), this.checkpoint) >= 0 &&
        !(await this.sendCheckpoint(positionOf(event)))
      )
        return false;
    }
    return false;
  }

  private isLiveCheckpoint(index: number): boolean {
    const sinceConfirmation = index - this.confirmedLength + 1;
    return sinceConfirmation > 0 && sinceConfirmation % this.interval === 0;
  }

  /** Live checkpoints reached while catching up wait, as in the server's live buffer, for the switch to live. */
  private noteLiveCheckpoint(index: number, event: StoredEvent): void {
    if (!this.isLiveCheckpoint(index)) return;
    this.pendingLiveCheckpoints.push(positionOf(event));
    if (this.pendingLiveCheckpoints.length > LIVE_BUFFER) this.pendingLiveCheckpoints.shift();
  }

  private async sendEvent(event: StoredEvent): Promise<boolean> {
    const position = positionOf(event);
    if (comparePositions(position, this.checkpoint) <= 0) return true;
    this.checkpoint = position;
    return this.responses.send(eventResponse(event, this.format));
  }

  private async sendCheckpoint(position: LogPosition): Promise<boolean> {
    this.checkpoint = maxPosition(this.checkpoint, position);
    if (comparePositions(position, HEAD_OF_LOG) === 0 || comparePositions(position, this.lastCheckpointSent) <= 0)
      return true;
    this.lastCheckpointSent = position;
    return this.responses.send(checkpointResponse(position.commit, position.prepare));
  }
}
