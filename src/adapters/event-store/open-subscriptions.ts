import type { Subscription } from '../../ports/event-store.port.js';

/** A store's running subscriptions, so that closing the store stops them; none starts once it is closed. */
export class OpenSubscriptions {
  private readonly running = new Set<Subscription>();
  private closed = false;

  /** Starts one with `start`, handing it the callback it calls when it ends. */
  add(start: (onEnd: (ended: Subscription) => void) => Subscription): Subscription {
    if (this.closed) throw new Error('the event store is closed');
    const subscription = start((ended) => this.running.delete(ended));
    this.running.add(subscription);
    return subscription;
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((s) => s.stop()));
  }
}
