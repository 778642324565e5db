import {
  deliverEvents,
  type GlobalPosition,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.port.js';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import { describeError } from '../../../application/describe-error.js';
import { reportSubscriptionStop } from '../subscription-stop.js';
import { retryDelay } from '../retry-delay.js';
import type { NotificationListener } from './notification-listener.js';
import type { LogPage, PostgresEventReader } from './postgres-event-reader.js';
import { isPermanent } from './postgres-errors.js';

/** Events per look. */
const PAGE = 500;
/** The first wait for events held back behind the transaction horizon; each further one is 1.5× longer. */
const HELD_FIRST_MS = 5;

export interface CatchUpDependencies {
  reader: PostgresEventReader;
  listener: NotificationListener;
  pollIntervalMs: number;
  logger: AppLogger;
  /** Called once the subscription has ended, whatever ended it. */
  onEnd: (subscription: Subscription) => void;
}

/**
 * A subscription to the whole log: it looks (one statement: the next page and whether events wait above
 * the horizon), hands the page to the subscriber, and waits for a notification or the poll interval;
 * events held behind an open transaction are looked for again soon, ever less often. A failed read is
 * retried with backoff; a handler's failure, or a read that retrying cannot fix, stops it.
 */
export class CatchUpSubscription implements Subscription {
  private stopped = false;
  /** Cuts short whatever the subscription is waiting for. */
  private wake: () => void = () => undefined;
  private position?: GlobalPosition;
  private failures = 0;
  private heldDelay = HELD_FIRST_MS;
  private readonly done: Promise<void>;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: CatchUpDependencies,
  ) {
    this.position = options.after;
    this.done = this.run()
      .catch((error: unknown) => this.fail(error))
      .finally(() => deps.onEnd(this));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.done;
  }

  private fail(error: unknown): void {
    this.stopped = true;
    reportSubscriptionStop(this.options, this.deps.logger, error);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      // A notification arriving while this page is read must not be slept through.
      const seen = this.deps.listener.generation;
      const look = await this.look();
      if (!look) continue;
      try {
        const taken = await deliverEvents(this.options, look.events, () => this.stopped);
        if (taken > 0) this.position = look.events[taken - 1].position;
      } catch (error) {
        return this.fail(error);
      }
      if (this.stopped) return;
      if (look.events.length === PAGE || this.deps.listener.generation !== seen) continue;
      await this.waitAfter(look.events.length, look.held);
    }
  }

  /** The next page, or undefined after a failed read (stopped if retrying cannot fix it, else after backoff). */
  private async look(): Promise<LogPage | undefined> {
    try {
      const page = await this.deps.reader.readPage(
        { after: this.position, maxCount: PAGE, streamPrefix: this.options.streamPrefix },
        true,
      );
      this.failures = 0;
      return page;
    } catch (error) {
      if (isPermanent(error)) {
        this.fail(error);
        return undefined;
      }
      this.failures++;
      const delay = retryDelay(this.failures);
      this.deps.logger.warn(
        `event subscription: reading failed (${describeError(error)}); retry ${this.failures} in ${delay} ms`,
      );
      await this.pause(delay, false);
      return undefined;
    }
  }

  /**
   * Committed events above the horizon wait for an older transaction of this database (e.g. a
   * projection's write) whose end notifies nobody: look again soon, ever less often.
   */
  private async waitAfter(delivered: number, held: boolean): Promise<void> {
    const pollIntervalMs = this.deps.pollIntervalMs;
    this.heldDelay = held && delivered === 0 ? Math.min(pollIntervalMs, this.heldDelay * 1.5) : HELD_FIRST_MS;
    await this.pause(held ? this.heldDelay : pollIntervalMs, true);
  }

  /** Sleeps `ms`, or less when stopped or (if `onNotify`) when an append commits. */
  private pause(ms: number, onNotify: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unlisten?.();
        this.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unlisten = onNotify ? this.deps.listener.onNext(done) : undefined;
      this.wake = done;
    });
  }
}
