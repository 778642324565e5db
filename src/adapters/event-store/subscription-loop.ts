import { describeError } from '../../shared/describe-error.js';
import type { GlobalPosition, SubscribeOptions, Subscription } from '../../ports/event-store.port.js';
import type { AppLogger } from '../../ports/logger.port.js';

/**
 * What every adapter's subscription shares: a loop that runs until stopped, the position of the last
 * event handled, and a failure that stops the loop and tells the subscriber. Subclasses write `run`
 * and call `start` at the end of their constructor, once their own fields are set.
 */
export abstract class SubscriptionLoop implements Subscription {
  protected stopped = false;
  /** Cuts short whatever the loop is waiting for. */
  protected wake: () => void = () => undefined;
  protected position?: GlobalPosition;
  /** Failed attempts in a row, for the backoff. */
  protected failures = 0;
  private done: Promise<void> = Promise.resolve();

  constructor(
    protected readonly options: SubscribeOptions,
    protected readonly logger: AppLogger,
    private readonly onEnd: (subscription: Subscription) => void,
  ) {
    this.position = options.after;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.interrupt();
    await this.done;
  }

  protected start(): void {
    this.done = this.run()
      .catch((error: unknown) => this.fail(error))
      .finally(() => this.onEnd(this));
  }

  protected abstract run(): Promise<void>;

  /** Ends a call in flight that `stop` must not wait for; nothing by default. */
  protected async interrupt(): Promise<void> {}

  /**
   * Stops the loop and tells the subscriber (or logs it when nobody listens); an onError that throws is
   * logged, never rethrown.
   */
  protected fail(error: unknown): void {
    this.stopped = true;
    if (!this.options.onError) return this.logger.error(`event subscription stopped: ${describeError(error)}`);
    try {
      this.options.onError(error);
    } catch (thrown) {
      this.logger.error(`event subscription: onError threw: ${describeError(thrown)}`);
    }
  }
}
