import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../src/ports/clock.port.js';
import type { DeliveryPolicy } from '../../src/webhooks/delivery-attempt.js';
import { EndpointWorker } from '../../src/webhooks/endpoint-worker.js';
import { noWebhookTelemetry, type TransportResult, type WebhookTransport } from '../../src/ports/webhooks.port.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { PostgresCheckpointStore } from '../../src/adapters/postgres/postgres-checkpoint-store.js';
import { PostgresWebhookEndpoints } from '../../src/adapters/webhooks/postgres/postgres-webhook-endpoints.js';
import { useCentralFixture } from '../support/central-fixture.js';
import { ev, until } from '../support/event-store-fixtures.js';

/**
 * One endpoint's worker against the PostgreSQL store and endpoints table, with a transport that answers
 * as told and counts the requests open at once: schools are delivered to in parallel only while the
 * endpoint answers 2xx, so an endpoint that is gone or failing never gets more than one request at a time.
 */
describe('EndpointWorker: parallel only while the endpoint answers', () => {
  const central = useCentralFixture('scs_webhook_worker');
  const policy: DeliveryPolicy = { baseDelayMs: 20, maxDelayMs: 50, retryForMs: 600 };

  class CountingTransport implements WebhookTransport {
    sent = 0;
    open = 0;
    mostOpen = 0;
    constructor(private readonly status: () => number) {}
    async send(): Promise<TransportResult> {
      this.sent++;
      this.mostOpen = Math.max(this.mostOpen, ++this.open);
      await new Promise((resolve) => setTimeout(resolve, 15));
      this.open--;
      return { httpStatus: this.status(), error: null, latencyMs: 15 };
    }
    async checkDestination(): Promise<void> {}
  }

  /** A school requested (its stream's first event); returns its id. */
  async function requestSchool(i: number): Promise<string> {
    const schoolId = randomUUID();
    await central.store.append(
      schoolStreamId(schoolId),
      [
        ev('SchoolRequested', {
          schoolId,
          name: 'Greenwood High',
          district: 'Pune',
          board: 'CBSE',
          adminEmail: 'admin@greenwood.example',
          phone: '+91 98765 43210',
          slug: `greenwood-${i}`,
          databaseName: `school_${schoolId.replaceAll('-', '')}`,
          subdomain: `greenwood-${i}.syncad.in`,
          requestedAt: '2026-01-01T00:00:00.000Z',
        }),
      ],
      'no_stream',
    );
    return schoolId;
  }

  /**
   * `schools` schools requested, then a worker (sending through `transport`) for a new endpoint wanting
   * school.requested from the start, dating its attempts by `clock`.
   */
  async function run<T extends WebhookTransport>(
    schools: number,
    transport: T,
    retryForMs = policy.retryForMs,
    clock: Clock = systemClock,
  ) {
    const endpoints = new PostgresWebhookEndpoints(central.pool, new PostgresCheckpointStore(central.pool), [
      randomBytes(32),
    ]);
    for (let i = 0; i < schools; i++) await requestSchool(i);
    const endpoint = await endpoints.create(
      { id: randomUUID(), url: 'https://hooks.example/scs', eventTypes: ['school.requested'] },
      randomBytes(24).toString('base64'),
    );
    const disabled: string[] = [];
    const worker = new EndpointWorker(endpoint, {
      store: central.store,
      endpoints,
      transport,
      telemetry: noWebhookTelemetry,
      logger: central.logger,
      policy: { ...policy, retryForMs },
      source: '/scs/test',
      clock,
      onDisabled: (id) => disabled.push(id),
    });
    await worker.start();
    return { endpoints, endpoint, transport, disabled, worker };
  }

  it('sends a 410 endpoint one request, however many schools are waiting, and disables it', async () => {
    const { endpoints, endpoint, transport, disabled, worker } = await run(12, new CountingTransport(() => 410));
    try {
      await until(
        () => disabled,
        (d) => d.length >= 1,
        10_000,
      );
      expect(transport.sent).toBe(1);
      expect((await endpoints.get(endpoint.id))?.disabledReason).toMatch(/410 Gone/);
    } finally {
      await worker.stop();
    }
  });

  it('keeps a failing endpoint at one request at a time until it is disabled', async () => {
    const { transport, disabled, worker } = await run(12, new CountingTransport(() => 500));
    try {
      await until(
        () => disabled,
        (d) => d.length >= 1,
        10_000,
      );
      expect(transport.sent).toBeGreaterThan(1);
      expect(transport.mostOpen).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it("logs a failing endpoint's attempts while it is still retrying, not only when it gives up", async () => {
    const { endpoints, endpoint, disabled, worker } = await run(1, new CountingTransport(() => 503), 60_000);
    try {
      const logged = await until(
        () => endpoints.deliveries(endpoint.id, 10),
        (attempts) => attempts.length >= 3,
        10_000,
      );
      expect(disabled).toEqual([]);
      expect(logged.map((a) => [a.outcome, a.httpStatus])).toEqual(logged.map(() => ['failed', 503]));
    } finally {
      await worker.stop();
    }
  });

  it('dates its attempts (the signed time and the delivery log) by the clock it is given', async () => {
    const at = new Date('2031-02-03T04:05:06.000Z');
    const signedAt: string[] = [];
    const transport: WebhookTransport = {
      send: async (_url, { now }) => (signedAt.push(now.toISOString()), { httpStatus: 204, error: null, latencyMs: 0 }),
      checkDestination: async () => undefined,
    };
    const { endpoints, endpoint, worker } = await run(2, transport, policy.retryForMs, { now: () => at });
    try {
      const logged = await until(
        () => endpoints.deliveries(endpoint.id, 10),
        (attempts) => attempts.length >= 2,
        10_000,
      );
      // Earlier tests' schools are in the store too: every attempt, whichever school's, is this clock's.
      expect(logged.map((a) => [a.outcome, a.attemptedAt])).toEqual(logged.map(() => ['delivered', at.toISOString()]));
      expect(signedAt.length).toBeGreaterThanOrEqual(2);
      expect(new Set(signedAt)).toEqual(new Set([at.toISOString()]));
    } finally {
      await worker.stop();
    }
  });

  it('opens up to 32 schools at once for an endpoint that answers 2xx', async () => {
    const { endpoints, endpoint, transport, worker } = await run(40, new CountingTransport(() => 204));
    try {
      await until(
        async () => (await endpoints.deliveries(endpoint.id, 100)).filter((d) => d.outcome === 'delivered').length,
        (n) => n >= 40,
        15_000,
      );
      expect(transport.mostOpen).toBe(32);
    } finally {
      await worker.stop();
    }
  });

  /** Answers 204 at once, except to the school `held`, whose requests wait until `release`. */
  class HoldingTransport implements WebhookTransport {
    held?: string;
    delivered: string[] = [];
    waiting = false;
    private release?: () => void;
    async send(_url: string, message: { body: string }): Promise<TransportResult> {
      const subject = JSON.parse(message.body).subject as string;
      if (subject === this.held) {
        this.waiting = true;
        await new Promise<void>((resolve) => (this.release = resolve));
      }
      this.delivered.push(subject);
      return { httpStatus: 204, error: null, latencyMs: 0 };
    }
    async checkDestination(): Promise<void> {}
    letGo(): void {
      this.held = undefined;
      this.release?.();
    }
  }

  it("delivers a school's event recorded while another school's waits, and keeps the position before the waiting one", async () => {
    const transport = new HoldingTransport();
    const { endpoints, endpoint, worker } = await run(0, transport);
    try {
      transport.held = await requestSchool(0);
      await until(
        () => transport.waiting,
        (waiting) => waiting,
        5000,
      );
      // Recorded after the held school's event was read: the worker reads on and delivers it meanwhile
      // (before, the subscription waited for the whole batch before reading the next).
      const later = await requestSchool(1);
      await until(
        async () => transport.delivered,
        (d) => d.includes(later),
        5000,
      );
      await until(
        async () => (await endpoints.deliveries(endpoint.id, 10)).map((d) => d.subject),
        (logged) => logged.includes(later),
        5000,
      );
      // The checkpoint does not pass the held (undelivered) event: a restart sends it again.
      const saved = await endpoints.loadCheckpoint(endpoint.id);
      const [held] = await central.store.readStream(schoolStreamId(transport.held!));
      expect(
        saved === undefined ||
          saved.commit < held.position.commit ||
          (saved.commit === held.position.commit && saved.prepare < held.position.prepare),
      ).toBe(true);
    } finally {
      transport.letGo();
      await worker.stop();
    }
  });
});
