import type { IntegrationEvent } from '../integration-events/integration-events.js';
import type { GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';

/** One event an endpoint wants, waiting in its school's lane until delivered. */
export interface Delivery {
  event: RecordedEvent;
  integration: IntegrationEvent;
  /** The position of the event handed to the worker before this one: where a checkpoint stops short of it. */
  before: GlobalPosition | undefined;
  done: boolean;
}

/**
 * One run's undelivered events: all of them in store order (for the checkpoint), each school's in its own
 * lane (delivered one after another), and the schools whose next event may start, oldest ready first.
 */
export class DeliveryLanes {
  private pending: Delivery[] = [];
  private readonly lanes = new Map<string, Delivery[]>();
  private ready: string[] = [];

  /** Events taken and not yet delivered (those delivered behind an older undelivered one included). */
  get size(): number {
    return this.pending.length;
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** The oldest event not yet delivered. */
  oldestWaiting(): Delivery | undefined {
    return this.pending.find((d) => !d.done);
  }

  /** The position the checkpoint may move to: just before the oldest undelivered event, or `lastHanded`. */
  watermark(lastHanded: GlobalPosition | undefined): GlobalPosition | undefined {
    return this.pending.length > 0 ? this.pending[0].before : lastHanded;
  }

  add(delivery: Delivery): void {
    this.pending.push(delivery);
    const school = delivery.integration.subject;
    const lane = this.lanes.get(school);
    if (lane) return void lane.push(delivery);
    this.lanes.set(school, [delivery]);
    this.ready.push(school);
  }

  /** The school ready longest, taken off the ready list while its next event is delivered. */
  takeReady(): string {
    return this.ready.shift()!;
  }

  /** The school's next event. */
  next(school: string): Delivery {
    return this.lanes.get(school)![0];
  }

  /** The school's next event is delivered: the school is ready again if more of its events wait. */
  delivered(school: string): void {
    const lane = this.lanes.get(school)!;
    lane[0].done = true;
    lane.shift();
    if (lane.length > 0) this.ready.push(school);
    else this.lanes.delete(school);
    while (this.pending[0]?.done) this.pending.shift();
  }

  clear(): void {
    this.pending = [];
    this.lanes.clear();
    this.ready = [];
  }
}
