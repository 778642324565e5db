import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventStreamTelemetry } from '../../ports/telemetry.port.js';

/** The live event streams' metrics (GET /events/stream), on the process's registry (see docs/OPERATIONS.md). */
export class EventStreamMetrics implements EventStreamTelemetry {
  private readonly open: Gauge;
  private readonly dropped: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.open = new Gauge({
      name: 'scs_event_streams_open',
      help: 'Clients reading GET /events/stream from this replica now',
      registers,
    });
    this.dropped = new Counter({
      name: 'scs_event_streams_dropped_total',
      help: 'Event stream clients dropped because they did not read (their socket stayed full)',
      registers,
    });
    this.open.set(0);
    this.dropped.inc(0);
  }

  opened(): void {
    this.open.inc();
  }

  closed(): void {
    this.open.dec();
  }

  droppedOne(): void {
    this.dropped.inc();
  }
}
