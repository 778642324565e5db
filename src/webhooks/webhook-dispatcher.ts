import type { Clock } from '../ports/clock.port.js';
import type { EventStore } from '../ports/event-store.port.js';
import { noLocks, type Locks } from '../ports/locks.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type { WebhookEndpoints, WebhookTelemetry, WebhookTransport } from '../ports/webhooks.port.js';
import { describeError } from '../shared/describe-error.js';
import type { DeliveryPolicy } from './delivery-attempt.js';
import { EndpointWorker } from './endpoint-worker.js';

const LOCK = 'webhook-dispatcher';
const LOOK_MS = 1000;

export interface DispatcherParts {
  store: EventStore;
  endpoints: WebhookEndpoints;
  transport: WebhookTransport;
  telemetry: WebhookTelemetry;
  logger: AppLogger;
  locks?: Locks;
  policy: DeliveryPolicy;
  /** The CloudEvents `source` of every event. */
  source: string;
  /** What the workers date their attempts by. */
  clock: Clock;
}

/**
 * Runs one EndpointWorker per enabled endpoint, in the one replica holding `webhook-dispatcher` (the
 * others wait to take over, as for the projections). Every second it looks at the endpoints again, so
 * one added or removed by another process (the CLI, another replica's API) is picked up or stopped.
 */
export class WebhookDispatcher {
  private readonly workers = new Map<string, EndpointWorker>();
  private lock?: { release(): Promise<void> };
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private looking?: Promise<void>;

  constructor(private readonly parts: DispatcherParts) {
    parts.telemetry.observeBacklog(
      () => new Map([...this.workers].map(([id, worker]) => [id, worker.backlogSeconds] as const)),
    );
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks at the endpoints now (after one was added or removed through this process). */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.looking ??= this.look().finally(() => (this.looking = undefined));
    return this.looking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.looking;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
    this.workers.clear();
    await this.lock?.release();
    this.lock = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule(LOOK_MS)), ms);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    try {
      this.lock ??= await (this.parts.locks ?? noLocks).tryLock(LOCK);
      if (!this.lock || this.stopped) return;
      const enabled = (await this.parts.endpoints.list()).filter((e) => e.disabledAt === null);
      const wanted = new Map(enabled.map((e) => [e.id, e]));
      // Removed, disabled or replayed (a new generation): stopped, and a replayed one started again from its
      // new position. (A rotated secret needs no restart: each attempt reads the secrets.)
      for (const [id, worker] of this.workers) {
        if (wanted.get(id)?.generation === worker.endpoint.generation) continue;
        this.workers.delete(id);
        await worker.stop();
      }
      for (const endpoint of enabled) {
        if (this.workers.has(endpoint.id) || this.stopped) continue;
        const worker = new EndpointWorker(endpoint, {
          ...this.parts,
          onDisabled: (id) => this.workers.delete(id),
        });
        this.workers.set(endpoint.id, worker);
        void worker.start();
      }
    } catch (error) {
      this.parts.logger.warn(`webhooks: cannot read the endpoints (${describeError(error)}); looking again`);
    }
  }
}
