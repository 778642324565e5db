import { parseFaults } from '../../src/config/faults.js';
import { FaultInjector } from '../../src/adapters/faults/fault-injector.js';
import { PositionTracker } from '../../src/process-manager/position-tracker.js';
import { retryDelayMs } from '../../src/process-manager/retry-policy.js';
import { StepError } from '../../src/ports/step-error.js';
import { noTelemetry, reportHandled } from '../../src/ports/telemetry.port.js';

const p = (n: number) => ({ commit: BigInt(n), prepare: BigInt(n) });

describe('PositionTracker', () => {
  it('never moves the checkpoint past an unfinished event', () => {
    const tracker = new PositionTracker();
    tracker.track(p(1), 'a');
    tracker.track(p(2), 'b');
    tracker.track(p(3), 'a');
    expect(tracker.complete(tracker.snapshot('b'))).toBeUndefined();
    expect(tracker.checkpoint).toBeUndefined();
    expect(tracker.complete(tracker.snapshot('a'))).toEqual(p(3));
    expect(tracker.backlog).toBe(0);
  });
});

describe('PositionTracker at catch-up scale', () => {
  it('gives the checkpoint a scan of every event would, over 5,000 events completed out of order', () => {
    // A process manager catching up tracks far ahead of its handling; keys finish in a shuffled order.
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const tracker = new PositionTracker();
    const model: Array<{ n: number; key: string; done: boolean }> = [];
    const positions = new Map<number, ReturnType<typeof p>>();
    let n = 0;
    const keys = Array.from({ length: 400 }, (_, i) => `school-${i}`);
    const expected = () => {
      let last: number | undefined;
      for (const e of model) {
        if (!e.done) break;
        last = e.n;
      }
      return last === undefined ? undefined : positions.get(last);
    };
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) {
        const key = keys[Math.floor(random() * keys.length)];
        const position = p(++n);
        positions.set(n, position);
        model.push({ n, key, done: false });
        tracker.track(position, key);
      }
      // Some keys' work finishes: what each had when its work began is completed.
      for (const key of keys.filter(() => random() < 0.3)) {
        const snapshot = tracker.snapshot(key);
        expect([...snapshot].sort((a, b) => Number(a.commit - b.commit))).toEqual(
          model.filter((e) => e.key === key && !e.done).map((e) => positions.get(e.n)),
        );
        tracker.complete(snapshot);
        for (const e of model) if (e.key === key) e.done = true;
        expect(tracker.checkpoint).toBe(expected());
      }
      const first = model.findIndex((e) => !e.done);
      expect(tracker.backlog).toBe(first === -1 ? 0 : model.length - first);
    }
    for (const key of keys) tracker.complete(tracker.snapshot(key));
    expect(tracker.checkpoint).toBe(positions.get(n));
    expect(tracker.backlog).toBe(0);
  });
});

describe('SCS_FAULTS', () => {
  it('parses fail, flaky and crash', () => {
    expect([...parseFaults('issue_certificate:fail, create_dns:flaky:2,run_migrations:crash')]).toEqual([
      ['issue_certificate', { kind: 'fail' }],
      ['create_dns', { kind: 'flaky', times: 2 }],
      ['run_migrations', { kind: 'crash' }],
    ]);
    expect(() => parseFaults('create_dns:flaky')).toThrow(/step:flaky:N/);
    expect(() => parseFaults('create_dns:explode')).toThrow();
  });

  it('fails permanently, or transiently for the first N attempts', () => {
    const faults = new FaultInjector(parseFaults('a:fail,b:flaky:2'), '/tmp');
    expect(() => faults.beforeStep('a', 1)).toThrow(expect.objectContaining({ permanent: true }));
    expect(() => faults.beforeStep('b', 2)).toThrow(expect.objectContaining({ permanent: false }));
    expect(() => faults.beforeStep('b', 3)).not.toThrow();
    expect(() => faults.beforeStep('c', 1)).not.toThrow();
  });
});

describe('retry backoff', () => {
  it('grows exponentially with jitter and is capped', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs(policy, 1, () => 0)).toBe(50);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(100);
    expect(retryDelayMs(policy, 3, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 10, () => 1)).toBe(1000);
    expect(StepError.transient('x').permanent).toBe(false);
  });
});

describe('event delivery telemetry', () => {
  it("reports each event's delay from its recording, except those recorded before the subscriber started", () => {
    const seen: Array<[string, number]> = [];
    const telemetry = { ...noTelemetry, eventHandled: (s: string, seconds: number) => seen.push([s, seconds]) };
    const at = (ms: number) => ({ recordedAt: new Date(ms) });
    reportHandled(telemetry, 'projection:steps', 10_000, 12_500, [at(9_999), at(10_000), at(12_000), at(13_000)]);
    // 9,999 is a catch-up event (left out); a store clock ahead of ours gives 0, never a negative delay.
    expect(seen).toEqual([
      ['projection:steps', 2.5],
      ['projection:steps', 0.5],
      ['projection:steps', 0],
    ]);
  });
});
