import type { EventStore } from '../../src/ports/event-store.port.js';
import type {
  DeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpoints,
  WebhookTransport,
} from '../../src/ports/webhooks.port.js';
import { rotateWebhookSecret, testWebhook, type WebhookParts } from '../../src/webhooks/manage-webhooks.js';
import { FakeClock } from '../support/in-memory.js';

/**
 * Webhook management dates what it records by the clock it is given: a test event's time, the attempt in
 * the delivery log (and the time its signature carries), the end of a rotated secret's overlap.
 */
describe('webhook management: times from the clock', () => {
  const START = '2031-02-03T04:05:06.000Z';
  const endpoint: WebhookEndpoint = {
    id: 'e1',
    url: 'https://hooks.example/scs',
    eventTypes: ['school.requested'],
    createdAt: START,
    disabledAt: null,
    disabledReason: null,
    previousSecretUntil: null,
    generation: 0,
  };

  function parts() {
    const clock = new FakeClock(START);
    const recorded: DeliveryAttempt[] = [];
    const sent: Array<{ body: string; now: Date }> = [];
    const rotations: Date[] = [];
    const endpoints = {
      get: async (id: string) => (id === endpoint.id ? endpoint : undefined),
      secrets: async () => ({ current: 'whsec_current' }),
      recordAttempts: async (attempts: DeliveryAttempt[]) => (recorded.push(...attempts), true),
      rotateSecret: async (_id: string, _secret: string, until: Date) => (rotations.push(until), true),
    } as unknown as WebhookEndpoints;
    const transport: WebhookTransport = {
      send: async (_url, message) => (sent.push(message), { httpStatus: 204, error: null, latencyMs: 3 }),
      checkDestination: async () => undefined,
    };
    const store = {} as EventStore;
    const webhookParts: WebhookParts = { store, endpoints, transport, source: '/scs/test', clock };
    return { parts: webhookParts, clock, recorded, sent, rotations };
  }

  it('sends a test event dated, signed and logged at the clock’s time', async () => {
    const t = parts();
    t.clock.advance(2500);
    const attempt = await testWebhook(t.parts, endpoint.id);
    const at = '2031-02-03T04:05:08.500Z';
    expect(attempt).toMatchObject({
      endpointId: 'e1',
      eventType: 'webhook.test',
      outcome: 'delivered',
      attemptedAt: at,
    });
    expect(t.recorded).toEqual([attempt]);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0].now.toISOString()).toBe(at);
    expect(JSON.parse(t.sent[0].body)).toMatchObject({ time: at, data: { endpointId: 'e1', sentAt: at } });
  });

  it('keeps the previous secret for the overlap from the clock’s now', async () => {
    const t = parts();
    t.clock.advance(60_000);
    const rotated = await rotateWebhookSecret(t.parts, endpoint.id, 3600);
    expect(rotated.previousSecretUntil).toBe('2031-02-03T05:06:06.000Z');
    expect(t.rotations.map((d) => d.toISOString())).toEqual(['2031-02-03T05:06:06.000Z']);
    expect(rotated.secret).toMatch(/^whsec_/);
  });
});
