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
  type SubscribeOptions,
  type Subscription,
} from '../../../ports/event-store.port.js';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { SubscriptionLoop } from '../subscription-loop.js';
import { retryDelay } from '../retry-delay.js';
import { isWanted, toRecorded } from './kurrent-events.js';

type ServerSubscription = ReturnType<KurrentDBClient['subscribeToAll']>;

export interface ResumingDependencies {
  client: KurrentDBClient;
  logger: AppLogger;
  /** The longest wait before subscribing again. */
  retryMaxMs: number;
}

/**
 * A subscription to `$all` on the server, filtered there by stream name. When the server ends it or the
 * connection drops, it subscribes again after the last event it handled, with backoff; the client
 * reconnects by itself on that call. A handler's failure stops it.
 */
export class ResumingSubscription extends SubscriptionLoop {
  private current?: ServerSubscription;

  constructor(
    options: SubscribeOptions,
    private readonly deps: ResumingDependencies,
    onEnd: (subscription: Subscription) => void,
  ) {
    super(options, deps.logger, onEnd);
    this.start();
  }

  protected override async interrupt(): Promise<void> {
    await this.current?.unsubscribe().catch(() => undefined);
  }

  protected async run(): Promise<void> {
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
    this.logger.warn(`event subscription: ${describeError(error)}; subscribing again in ${delay} ms`);
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
