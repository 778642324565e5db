import { startActionTimer } from '../../src/process-manager/action-timer.js';
import { SchoolLanes } from '../../src/process-manager/school-lanes.js';
import { SchoolRequests } from '../../src/process-manager/school-requests.js';
import { reportSettled } from '../../src/process-manager/settled-telemetry.js';
import type { RecordedEvent } from '../../src/ports/event-store.port.js';
import { noTelemetry, type ActionOutcome, type Telemetry } from '../../src/ports/telemetry.port.js';
import type { SchoolState } from '../../src/domain/school/state.js';
import { FakeClock } from '../support/in-memory.js';

/** Work that finishes only when the test says so, recording what ran. */
function heldWork() {
  const started: string[] = [];
  const open = new Map<string, () => void>();
  const work = (schoolId: string) => {
    started.push(schoolId);
    return new Promise<void>((resolve) => open.set(schoolId, resolve));
  };
  const finish = async (schoolId: string) => {
    open.get(schoolId)!();
    open.delete(schoolId);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, work, finish };
}

describe('SchoolLanes', () => {
  const lanes = (work: (id: string) => Promise<void>, clock = new FakeClock(), stopping = () => false) =>
    new SchoolLanes(work, { concurrency: 2, timers: clock, stopping });

  it('runs a school once at a time, and once more after if it was scheduled meanwhile', async () => {
    const held = heldWork();
    const subject = lanes(held.work);
    subject.schedule('a');
    subject.schedule('a');
    subject.schedule('a');
    expect(held.started).toEqual(['a']);
    await held.finish('a');
    expect(held.started).toEqual(['a', 'a']);
    await held.finish('a');
    expect(held.started).toEqual(['a', 'a']);
    expect(subject.status).toEqual({ running: 0, queued: 0 });
  });

  it('works on at most `concurrency` schools, the others in the order they came', async () => {
    const held = heldWork();
    const subject = lanes(held.work);
    for (const id of ['a', 'b', 'c', 'd']) subject.schedule(id);
    expect(held.started).toEqual(['a', 'b']);
    expect(subject.status).toEqual({ running: 2, queued: 2 });
    await held.finish('b');
    expect(held.started).toEqual(['a', 'b', 'c']);
    await held.finish('a');
    expect(held.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('looks at a school again after its wait, unless it is scheduled before', async () => {
    const clock = new FakeClock();
    const held = heldWork();
    const subject = lanes(held.work, clock);
    subject.lookAgain('a', 1000);
    clock.advance(999);
    expect(held.started).toEqual([]);
    clock.advance(1);
    expect(held.started).toEqual(['a']);
    await held.finish('a');
    subject.lookAgain('a', 1000);
    subject.schedule('a');
    expect(clock.waiting).toEqual([]);
  });

  it('starts nothing once stopping, and drains by dropping waits and the queue', async () => {
    const clock = new FakeClock();
    const held = heldWork();
    let stopping = false;
    const subject = lanes(held.work, clock, () => stopping);
    for (const id of ['a', 'b', 'c']) subject.schedule(id);
    subject.lookAgain('d', 1000);
    stopping = true;
    subject.schedule('e');
    const drained = subject.drain();
    expect(clock.waiting).toEqual([]);
    expect(subject.status).toEqual({ running: 2, queued: 0 });
    await held.finish('a');
    await held.finish('b');
    await drained;
    expect(held.started).toEqual(['a', 'b']);
  });
});

describe('SchoolRequests', () => {
  const event = (id: string, type: string, metadata: Record<string, unknown>) =>
    ({ id, type, metadata }) as unknown as RecordedEvent;

  it("gives the school's events the request's correlation and trace, caused by its last event", () => {
    const requests = new SchoolRequests(new FakeClock('2026-11-24T10:00:00.000Z'));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const events = [event('e1', 'SchoolRequested', { correlationId: 'r1', traceparent }), event('e2', 'X', {})];
    requests.remember('s', { state: undefined, events });
    expect(requests.correlationIdOf('s')).toBe('r1');
    expect(requests.metadata('s')).toEqual({
      actor: 'process-manager',
      correlationId: 'r1',
      traceparent,
      causationId: 'e2',
      now: '2026-11-24T10:00:00.000Z',
    });
  });

  it("takes a restore's own request, and forgets a school with nothing to do", () => {
    const requests = new SchoolRequests(new FakeClock());
    const events = [
      event('e1', 'SchoolRequested', { correlationId: 'r1' }),
      event('e2', 'SchoolRestoreRequested', { correlationId: 'r2' }),
      event('e3', 'X', {}),
    ];
    requests.remember('s', { state: { restore: {} } as SchoolState, events });
    expect(requests.correlationIdOf('s')).toBe('r2');
    requests.forget('s');
    expect(requests.correlationIdOf('s')).toBeUndefined();
    expect(requests.metadata('s')).toMatchObject({ correlationId: 's', causationId: expect.any(String) });
  });
});

describe('reportSettled', () => {
  const clock = new FakeClock('2026-11-24T10:01:00.000Z');
  const settled = (before: Partial<SchoolState>, after: Partial<SchoolState>) => {
    const reports: unknown[] = [];
    const telemetry: Telemetry = {
      ...noTelemetry,
      schoolSettled: (status, seconds) => void reports.push(['school', status, seconds]),
      restoreSettled: (outcome, seconds) => void reports.push(['restore', outcome, seconds]),
    };
    reportSettled(telemetry, clock, before as SchoolState, after as SchoolState);
    return reports;
  };
  const createdAt = '2026-11-24T10:00:00.000Z';

  it("reports a provisioning's end, with its time since the request", () => {
    expect(settled({ status: 'provisioning' }, { status: 'active', createdAt })).toEqual([['school', 'active', 60]]);
    expect(settled({ status: 'rolling_back' }, { status: 'failed', createdAt })).toEqual([['school', 'failed', 60]]);
  });

  it("reports a restore's end, and not a resumed school", () => {
    const restore = { requestedAt: '2026-11-24T10:00:30.000Z' } as SchoolState['restore'];
    expect(settled({ status: 'provisioning', restore }, { status: 'active' })).toEqual([['restore', 'restored', 30]]);
    expect(settled({ status: 'suspended' }, { status: 'active', createdAt })).toEqual([]);
    expect(settled({ status: 'provisioning' }, { status: 'provisioning', createdAt })).toEqual([]);
  });
});

describe('startActionTimer', () => {
  const timed = (action: 'create_dns' | 'delete_dns', attempt: number, failure?: { permanent: boolean }) => {
    const outcomes: ActionOutcome[] = [];
    const telemetry: Telemetry = { ...noTelemetry, actionFinished: (outcome) => void outcomes.push(outcome) };
    const done = startActionTimer(telemetry, 3, action, attempt);
    done(failure);
    done();
    return outcomes.map(({ seconds, ...rest }) => (expect(seconds).toBeGreaterThanOrEqual(0), rest));
  };

  it('reports once, and whether the failure is tried again', () => {
    const step = { action: 'create_dns', kind: 'step' };
    expect(timed('create_dns', 1)).toEqual([{ ...step, outcome: 'succeeded', retried: false }]);
    expect(timed('create_dns', 2, { permanent: false })).toEqual([{ ...step, outcome: 'failed', retried: true }]);
    expect(timed('create_dns', 3, { permanent: false })).toEqual([{ ...step, outcome: 'failed', retried: false }]);
    expect(timed('create_dns', 1, { permanent: true })).toEqual([{ ...step, outcome: 'failed', retried: false }]);
    const undo = { action: 'delete_dns', kind: 'compensation', outcome: 'failed', retried: true };
    expect(timed('delete_dns', 9, { permanent: true })).toEqual([undo]);
  });
});
