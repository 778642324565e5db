import { Histogram, type Registry } from 'prom-client';

const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Also read by the bench (bench/main.ts), which turns them into quantiles. */
export const DELIVERY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Events in and out of the store: appends, and delivery to the subscribers (process manager, projections). */
export class EventStoreMetrics {
  private readonly appends: Histogram<'outcome'>;
  private readonly delivery: Histogram<'subscriber'>;

  constructor(registers: Registry[]) {
    this.appends = new Histogram({
      name: 'scs_event_store_append_duration_seconds',
      help: 'Appends to the event store, per attempt, by outcome',
      labelNames: ['outcome'],
      buckets: APPEND_BUCKETS,
      registers,
    });
    this.delivery = new Histogram({
      name: 'scs_event_delivery_seconds',
      help: 'From an event being recorded to its subscriber having handled it (process-manager, projection:<name>)',
      labelNames: ['subscriber'],
      buckets: DELIVERY_BUCKETS,
      registers,
    });
  }

  appended(outcome: string, seconds: number): void {
    this.appends.observe({ outcome }, seconds);
  }

  eventHandled(subscriber: string, seconds: number): void {
    this.delivery.observe({ subscriber }, seconds);
  }
}
