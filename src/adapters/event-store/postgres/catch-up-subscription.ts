import { deliverEvents, type SubscribeOptions, type Subscription } from '../../../ports/event-store.port.js';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { SubscriptionLoop } from '../subscription-loop.js';
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
}

/**
 * A subscription to the whole log: it looks (one statement: the next page and whether events wait above
 * the horizon), hands the page to the subscriber, and waits for a notification or the poll interval;
 * events held behind an open transaction are looked for again soon, ever less often. A failed read is
 * retried with backoff; a handler's failure, or a read that retrying cannot fix, stops it.
 */
export class CatchUpSubscription extends SubscriptionLoop {
  private heldDelay = HELD_FIRST_MS;

  constructor(
    options: SubscribeOptions,
    private readonly deps: CatchUpDependencies,
    onEnd: (subscription: Subscription) => void,
  ) {
    super(options, deps.logger, onEnd);
    this.start();
  }

  protected async run(): Promise<void> {
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
      this.logger.warn(
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
