import type { IntegrationEvent } from '../../src/integration-events/integration-events.js';
import type { GlobalPosition, RecordedEvent } from '../../src/ports/event-store.port.js';
import { attemptRecord, describeAnswer, outcomeOf, retryDelay } from '../../src/webhooks/delivery-attempt.js';
import { DeliveryLanes, type Delivery } from '../../src/webhooks/delivery-lanes.js';

const positions = new Map<number, GlobalPosition>();
const at = (n: number): GlobalPosition =>
  positions.get(n) ?? positions.set(n, { commit: BigInt(n), prepare: 0n }).get(n)!;

function delivery(school: string, position: number, before?: number): Delivery {
  const event = { position: at(position), recordedAt: new Date(0) } as RecordedEvent;
  const integration = { id: `e${position}`, type: 'school.ready', subject: school } as unknown as IntegrationEvent;
  return { event, integration, before: before === undefined ? undefined : at(before), done: false };
}

describe('webhook delivery lanes', () => {
  it('readies each school once, oldest first, and its next event only after the one before is delivered', () => {
    const lanes = new DeliveryLanes();
    const [a1, b1, a2] = [delivery('a', 1), delivery('b', 2, 1), delivery('a', 3, 2)];
    for (const d of [a1, b1, a2]) lanes.add(d);
    expect(lanes.takeReady()).toBe('a');
    expect(lanes.takeReady()).toBe('b');
    expect(lanes.hasReady).toBe(false);
    expect(lanes.next('a')).toBe(a1);
    lanes.delivered('a');
    expect(lanes.takeReady()).toBe('a');
    expect(lanes.next('a')).toBe(a2);
  });

  it('holds the watermark before the oldest undelivered event, and moves it once that one is delivered', () => {
    const lanes = new DeliveryLanes();
    const [a1, b1] = [delivery('a', 1, 0), delivery('b', 2, 1)];
    lanes.add(a1);
    lanes.add(b1);
    lanes.delivered('b');
    expect(lanes.size).toBe(2);
    expect(lanes.oldestWaiting()).toBe(a1);
    expect(lanes.watermark(at(2))).toBe(at(0));
    lanes.delivered('a');
    expect(lanes.size).toBe(0);
    expect(lanes.oldestWaiting()).toBeUndefined();
    expect(lanes.watermark(at(2))).toBe(at(2));
  });
});

describe('webhook delivery attempts', () => {
  it.each([
    [200, 'delivered'],
    [299, 'delivered'],
    [410, 'gone'],
    [500, 'failed'],
    [301, 'failed'],
    [null, 'failed'],
  ] as const)('HTTP %p is %s', (status, outcome) => expect(outcomeOf(status)).toBe(outcome));

  it('logs an attempt with the event, the answer and the time it was made', () => {
    const integration = { id: 'e1', type: 'school.ready', subject: 's1' } as unknown as IntegrationEvent;
    const result = { httpStatus: 503, latencyMs: 12, error: null };
    expect(attemptRecord('w1', integration, 2, result, new Date('2026-01-01T00:00:00Z'))).toEqual({
      endpointId: 'w1',
      eventId: 'e1',
      eventType: 'school.ready',
      subject: 's1',
      attempt: 2,
      outcome: 'failed',
      httpStatus: 503,
      latencyMs: 12,
      error: null,
      attemptedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('names the last answer', () => {
    expect(describeAnswer({ httpStatus: 500, error: null, latencyMs: 1 })).toBe('HTTP 500');
    expect(describeAnswer({ httpStatus: null, error: 'ECONNREFUSED', latencyMs: 1 })).toBe('ECONNREFUSED');
    expect(describeAnswer({ httpStatus: null, error: null, latencyMs: 1 })).toBe('no answer');
  });

  it('retries within the window from the first attempt, and not past it', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 100, retryForMs: 1000 };
    const first = new Date(0);
    const delay = retryDelay(policy, 1, first, 0);
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(100);
    expect(retryDelay(policy, 5, first, 950)).toBeUndefined();
  });
});
