import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryOutcome, WebhookTelemetry } from '../../ports/webhooks.port.js';

/** The webhook deliveries' metrics, on the process's registry (see docs/OPERATIONS.md). */
export class WebhookMetrics implements WebhookTelemetry {
  private readonly attempts: Counter<'endpoint' | 'outcome'>;
  private readonly latency: Histogram<'endpoint'>;
  private backlog: () => Map<string, number> = () => new Map();

  constructor(registry: Registry, buckets: number[]) {
    const registers = [registry];
    this.attempts = new Counter({
      name: 'scs_webhook_deliveries_total',
      help: 'Webhook delivery attempts by endpoint id and outcome (delivered, failed, gone)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'scs_webhook_delivery_latency_seconds',
      help: 'From an event being recorded to the endpoint answering 2xx to it (retries included)',
      labelNames: ['endpoint'],
      buckets,
      registers,
    });
    const read = () => this.backlog();
    new Gauge({
      name: 'scs_webhook_oldest_undelivered_seconds',
      help: 'Per endpoint this replica delivers to: age of the oldest event it is delivering now (0: none waiting)',
      labelNames: ['endpoint'],
      registers,
      collect() {
        this.reset();
        for (const [endpoint, seconds] of read()) this.set({ endpoint }, seconds);
      },
    });
  }

  attempted(endpointId: string, outcome: DeliveryOutcome): void {
    this.attempts.inc({ endpoint: endpointId, outcome });
  }

  delivered(endpointId: string, seconds: number): void {
    this.latency.observe({ endpoint: endpointId }, seconds);
  }

  observeBacklog(read: () => Map<string, number>): void {
    this.backlog = read;
  }
}
