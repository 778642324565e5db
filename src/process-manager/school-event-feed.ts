import { SCHOOL_STREAM_PREFIX } from '../domain/school/events.js';
import type { Clock } from '../ports/clock.port.js';
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { reportHandled, type Telemetry } from '../ports/telemetry.port.js';
import { describeError } from '../shared/describe-error.js';

export interface SchoolEventFeedDeps {
  store: EventStore;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  /** The subscriber's name in the handled-events metric. */
  name: string;
  /** True once the owner stops: a failed subscription is then not started again. */
  stopping: () => boolean;
}

/** Every school event after a position, handed to `onEvent` one at a time. */
export class SchoolEventFeed {
  private subscription?: Subscription;
  private lastDelivered?: GlobalPosition;

  constructor(
    private readonly deps: SchoolEventFeedDeps,
    private readonly onEvent: (event: RecordedEvent) => Promise<void>,
  ) {}

  /** Follows the school events after `after`; if the subscription ever stops on an error, it is started again. */
  follow(after: GlobalPosition | undefined): void {
    const { store, clock, logger, telemetry, name, stopping } = this.deps;
    const since = clock.now().getTime();
    this.subscription = store.subscribeToAll({
      after,
      streamPrefix: SCHOOL_STREAM_PREFIX,
      handler: async (event) => {
        this.lastDelivered = event.position;
        await this.onEvent(event);
        reportHandled(telemetry, name, since, clock.now().getTime(), [event]);
      },
      onError: (error) => {
        logger.error(`process manager subscription stopped: ${describeError(error)}; starting it again in 2 s`);
        if (!stopping()) setTimeout(() => !stopping() && this.follow(this.lastDelivered ?? after), 2000).unref();
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
