import pg from 'pg';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { retryDelay } from '../retry-delay.js';

/**
 * The one LISTEN connection of a store, shared by its subscriptions and opened when the first one
 * waits. After a connection loss it wakes everyone (notifications may have been missed) and connects
 * again with backoff; until then subscribers still poll.
 */
export class NotificationListener {
  /** Counts notifications, so a subscriber can tell whether one came while it was reading. */
  generation = 0;
  private readonly waiters = new Set<() => void>();
  private client?: pg.Client;
  private connecting?: Promise<void>;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly logger: AppLogger,
  ) {}

  /** Calls `wake` once on the next notification; returns the function that cancels it. */
  onNext(wake: () => void): () => void {
    this.waiters.add(wake);
    this.ensureConnected();
    return () => this.waiters.delete(wake);
  }

  private notify(): void {
    this.generation++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private ensureConnected(): void {
    if (this.closed || this.client || this.connecting || this.retryTimer) return;
    this.connecting = this.connect().finally(() => (this.connecting = undefined));
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.logger.warn(`event notifications: connection lost (${error?.message ?? 'ended'}); listening again`);
      client.end().catch(() => undefined);
      this.notify();
    };
    client.on('notification', () => this.notify());
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query('LISTEN scs_events');
    } catch (error) {
      client.end().catch(() => undefined);
      return this.retryLater(error);
    }
    this.failures = 0;
    if (this.closed) await client.end().catch(() => undefined);
    else this.client = client;
  }

  /** Subscribers poll meanwhile; the next try comes only if someone still waits for a notification. */
  private retryLater(error: unknown): void {
    this.failures++;
    const delay = retryDelay(this.failures);
    this.logger.warn(`event notifications: cannot listen (${describeError(error)}); polling, next try in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.waiters.size > 0) this.ensureConnected();
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    this.notify();
  }
}
