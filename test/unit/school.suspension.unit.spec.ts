import { onRetiredKey } from '../../src/school/rotate-credentials/rotate-credentials.js';
import { schoolsBehind } from '../../src/school/schema-rollout/schema-rollout.js';
import type { SchoolCommand } from '../../src/domain/school/commands.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { pendingCompensations } from '../../src/domain/school/plan.js';
import { react } from '../../src/domain/school/react.js';
import { renewalDueAt } from '../../src/domain/school/renewal.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { ev, given, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';
import { InMemoryEventStore } from '../support/in-memory.js';

const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
const suspend = (reason = 'contract lapsed'): SchoolCommand => ({
  type: 'RequestSuspension',
  data: { reason, now: LATER },
});
const resume: SchoolCommand = { type: 'RequestResume', data: { now: LATER } };
const requested = (statusBefore = 'active'): SchoolEvent => ({
  type: 'SchoolSuspensionRequested',
  data: { reason: 'contract lapsed', requestedAt: LATER, statusBefore },
});
const dns = (value: string) => ({
  provider: 'local',
  name: 'greenwood.syncad.in',
  recordType: 'A',
  value,
  reference: 'l:9',
});
const suspended: SchoolEvent = {
  type: 'SchoolSuspended',
  data: { ...run, reason: 'contract lapsed', terminatedSessions: 2, dns: dns('203.0.113.9') },
};
const resumeRequested: SchoolEvent = {
  type: 'SchoolResumeRequested',
  data: { requestedAt: LATER, statusBefore: 'suspended' },
};
const resumed: SchoolEvent = { type: 'SchoolResumed', data: { ...run, dns: dns('127.0.0.1') } };
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'suspended' } };
const result = (action: 'suspend_school' | 'resume_school', event: SchoolEvent): SchoolCommand => ({
  type: 'RecordStepResult',
  data: { action, event, now: LATER },
});

describe('decide: suspending and resuming a school', () => {
  it('asks for the suspension of an active school, for its reason', () => {
    given(...provisionedSchool())
      .when(suspend())
      .then([requested()]);
  });

  it('refuses a reason that is empty, too long or not one line', () => {
    for (const reason of ['  ', 'x'.repeat(501), 'late\npayment']) {
      given(...provisionedSchool())
        .when(suspend(reason))
        .thenThrows('invalid_details');
    }
  });

  it('refuses a school not active (still provisioning, suspended already, failed) or deleted', () => {
    given(ev.requested(), ev.slug()).when(suspend()).thenThrows('wrong_status');
    given(...provisionedSchool(), requested(), suspended)
      .when(suspend())
      .thenThrows('wrong_status');
    const deleted: SchoolEvent = { type: 'SchoolDeleted', data: { deletedAt: LATER } };
    given(...provisionedSchool(), teardown, deleted)
      .when(suspend())
      .thenThrows('school_deleted');
  });

  it('resumes a suspended school, or one being suspended; never an active one', () => {
    given(...provisionedSchool(), requested(), suspended)
      .when(resume)
      .then([resumeRequested]);
    given(...provisionedSchool(), requested())
      .when(resume)
      .thenTypes(['SchoolResumeRequested']);
    given(...provisionedSchool())
      .when(resume)
      .thenThrows('wrong_status');
  });

  it('records the suspension once, and not once a teardown has overtaken it', () => {
    given(...provisionedSchool(), requested())
      .when(result('suspend_school', suspended))
      .then([suspended]);
    given(...provisionedSchool(), requested(), suspended)
      .when(result('suspend_school', suspended))
      .then([]);
    given(...provisionedSchool(), requested(), teardown)
      .when(result('suspend_school', suspended))
      .then([]);
  });
});

describe('the process manager and the state through a suspension', () => {
  it('suspends, then waits; resumes, then waits', () => {
    const base = provisionedSchool();
    expect(react(fold([...base, requested()]), LATER)).toEqual({ type: 'run', action: 'suspend_school', attempt: 1 });
    expect(react(fold([...base, requested(), suspended]), LATER)).toEqual({
      type: 'ignore',
      reason: 'school is suspended',
    });
    expect(react(fold([...base, requested(), suspended, resumeRequested]), LATER)).toEqual({
      type: 'run',
      action: 'resume_school',
      attempt: 1,
    });
    const after = fold([...base, requested(), suspended, resumeRequested, resumed])!;
    expect(react(after, LATER)).toEqual({ type: 'ignore', reason: 'school is active' });
    expect(after.suspension).toBeUndefined();
  });

  it('keeps the reason and the time, and the DNS record as the suspension pointed it', () => {
    const state = fold([...provisionedSchool(), requested(), suspended])!;
    expect(state.status).toBe('suspended');
    expect(state.suspension).toEqual({ reason: 'contract lapsed', requestedAt: LATER, suspendedAt: LATER });
    expect(state.resources.dns).toEqual({ name: 'greenwood.syncad.in', recordType: 'A', provider: 'local' });
  });

  it('tears a suspended school down like an active one', () => {
    const state = fold([...provisionedSchool(), requested(), suspended, teardown])!;
    expect(state.status).toBe('deprovisioning');
    expect(pendingCompensations(state)).toEqual([
      'unregister_school',
      'withdraw_certificate',
      'revoke_certificate',
      'delete_dns',
      'drop_database',
      'release_slug',
    ]);
  });

  it('includes suspended schools in credential rotations, schema rollouts and certificate renewals', async () => {
    const state = fold([...provisionedSchool(), requested(), suspended])!;
    expect(onRetiredKey(state, 'k2')).toBe(true);
    expect(renewalDueAt(state)).toBeDefined();
    given(...provisionedSchool(), requested(), suspended)
      .when({
        type: 'RecordSchemaUpgrade',
        data: { databaseName: 'x', to: '0004', migrations: ['0004_a'], durationMs: 1, ...run, now: LATER },
      })
      .thenTypes(['SchoolSchemaUpgraded']);
    const store = new InMemoryEventStore();
    const events = [...provisionedSchool(), requested(), suspended];
    const metadata = { actor: 'test', correlationId: 'c', now: NOW };
    await store.append(
      schoolStreamId(SCHOOL_ID),
      events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata })),
      'no_stream',
    );
    expect((await schoolsBehind(store, '0004')).map((s) => s.id)).toEqual([SCHOOL_ID]);
    // Not while it is on its way (suspending): the rollout takes it up once it is suspended.
    expect(onRetiredKey(fold([...provisionedSchool(), requested()])!, 'k2')).toBe(false);
  });
});
