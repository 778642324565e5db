import {
  excludeSystemEvents,
  START,
  streamNameFilter,
  type KurrentDBClient,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  deliverEvents,
  type GlobalPosition,
  type SubscribeOptions,
  type Subscription,
} from '../../../application/ports/event-store.port.js';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import { describeError } from '../../../application/describe-error.js';
import { reportSubscriptionStop } from '../subscription-stop.js';
import { retryDelay } from '../retry-delay.js';
import { isWanted, toRecorded } from './kurrent-events.js';

type ServerSubscription = ReturnType<KurrentDBClient['subscribeToAll']>;

export interface ResumingDependencies {
  client: KurrentDBClient;
  logger: AppLogger;
  /** The longest wait before subscribing again. */
  retryMaxMs: number;
  /** Called once the subscription has ended, whatever ended it. */
  onEnd: (subscription: Subscription) => void;
}

/**
 * A subscription to `$all` on the server, filtered there by stream name. When the server ends it or the
 * connection drops, it subscribes again after the last event it handled, with backoff; the client
 * reconnects by itself on that call. A handler's failure stops it.
 */
export class ResumingSubscription implements Subscription {
  private stopped = false;
  private current?: ServerSubscription;
  /** Cuts the backoff short. */
  private wake: () => void = () => undefined;
  private position?: GlobalPosition;
  private failures = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly deps: ResumingDependencies,
  ) {
    this.position = options.after;
    this.done = this.run()
      .catch((error: unknown) => this.fail(error))
      .finally(() => deps.onEnd(this));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.current?.unsubscribe().catch(() => undefined);
    await this.done;
  }

  private fail(error: unknown): void {
    this.stopped = true;
    reportSubscriptionStop(this.options, this.deps.logger, error);
  }

  private async run(): Promise<void> {
    // The server filters by stream name, and answers from a position exclusively.
    const prefix = this.options.streamPrefix;
    const filter = prefix !== undefined ? streamNameFilter({ prefixes: [prefix] }) : excludeSystemEvents();
    while (!this.stopped) {
      const subscription = this.deps.client.subscribeToAll({
        fromPosition: (this.position ?? START) as ReadPosition,
        filter,
      });
      this.current = subscription;
      try {
        if (!(await this.deliverFrom(subscription)) || this.stopped) return;
        throw new Error('the server ended the subscription');
      } catch (error) {
        if (this.stopped) return;
        await this.backOff(subscription, error);
      }
    }
  }

  /**
   * Hands the server's events to the subscriber until it stops or the server ends the subscription.
   * False when a handler failed (the subscription then stopped).
   */
  private async deliverFrom(subscription: ServerSubscription): Promise<boolean> {
    for await (const resolved of subscription) {
      if (this.stopped) break;
      this.failures = 0;
      const event = toRecorded(resolved);
      if (!isWanted(event, this.options.streamPrefix)) continue;
      if (this.position && comparePositions(event.position, this.position) <= 0) continue;
      try {
        await deliverEvents(this.options, [event], () => this.stopped);
      } catch (error) {
        await subscription.unsubscribe().catch(() => undefined);
        this.fail(error);
        return false;
      }
      this.position = event.position;
    }
    return true;
  }

  private async backOff(subscription: ServerSubscription, error: unknown): Promise<void> {
    this.failures++;
    const delay = retryDelay(this.failures, this.deps.retryMaxMs);
    this.deps.logger.warn(`event subscription: ${describeError(error)}; subscribing again in ${delay} ms`);
    await subscription.unsubscribe().catch(() => undefined);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
