import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { react } from '../../src/domain/school/react.js';
import { ev, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

const at = (...events: SchoolEvent[]) => fold(events);
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };
const failed = (step: string): SchoolEvent[] => [
  {
    type: 'ProvisioningStepFailed',
    data: { step: step as never, attempt: 1, startedAt: NOW, finishedAt: NOW, error: 'boom' },
  },
  { type: 'RollbackStarted', data: { failedStep: step as never, reason: 'boom' } },
];

describe('react: the process manager reactions', () => {
  it('ignores a school it does not know and schools at rest', () => {
    expect(react(undefined, NOW)).toEqual({ type: 'ignore', reason: 'no such school' });
    expect(react(at(...provisionedSchool()), NOW)).toEqual({ type: 'ignore', reason: 'school is active' });
  });

  it('runs the steps in order after the request', () => {
    expect(react(at(ev.requested(), ev.slug()), NOW)).toEqual({ type: 'run', action: 'create_database', attempt: 1 });
    expect(react(at(ev.requested(), ev.slug(), ev.database()), NOW)).toEqual({
      type: 'run',
      action: 'run_migrations',
      attempt: 1,
    });
    expect(react(at(...provisionedSchool().slice(0, 8)), NOW)).toEqual({
      type: 'run',
      action: 'send_welcome_email',
      attempt: 1,
    });
  });

  it('waits for a scheduled retry, then runs the next attempt', () => {
    const retrying = at(ev.requested(), ev.slug(), {
      type: 'StepAttemptFailed',
      data: { step: 'create_database', attempt: 2, error: 'x', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
    });
    expect(react(retrying, NOW)).toEqual({ type: 'wait', until: LATER, action: 'create_database' });
    expect(react(retrying, LATER)).toEqual({ type: 'run', action: 'create_database', attempt: 3 });
  });

  it('undoes in reverse order on rollback, including the step that failed', () => {
    const state = at(
      ev.requested(),
      ev.slug(),
      ev.database(),
      ev.migrations(),
      ev.dns(),
      ...failed('issue_certificate'),
    );
    expect(react(state, NOW)).toEqual({ type: 'run', action: 'revoke_certificate', attempt: 1 });
    const afterRevoke = at(
      ev.requested(),
      ev.slug(),
      ev.database(),
      ev.migrations(),
      ev.dns(),
      ...failed('issue_certificate'),
      {
        type: 'CertificateRevoked',
        data: { attempt: 1, startedAt: NOW, finishedAt: NOW, provider: 'local', revoked: false },
      },
    );
    expect(react(afterRevoke, NOW)).toEqual({ type: 'run', action: 'delete_dns', attempt: 1 });
  });

  it('tears down everything of an active school, from the registry to the slug', () => {
    const state = at(...provisionedSchool(), teardown);
    expect(react(state, NOW)).toEqual({ type: 'run', action: 'unregister_school', attempt: 1 });
  });

  it('withdraws the delivered certificate before revoking it', () => {
    const unregistered: SchoolEvent = {
      type: 'SchoolUnregistered',
      data: { attempt: 1, startedAt: NOW, finishedAt: NOW, existed: true },
    };
    expect(react(at(...provisionedSchool(), teardown, unregistered), NOW)).toEqual({
      type: 'run',
      action: 'withdraw_certificate',
      attempt: 1,
    });
    // A delivery in flight when a rollback begins is withdrawn too (its files may exist without its event).
    const state = at(ev.requested(), ev.slug(), ev.database(), ev.migrations(), ev.dns(), ev.certificate(), teardown);
    expect(react(state, NOW)).toEqual({ type: 'run', action: 'withdraw_certificate', attempt: 1 });
  });

  it('undoes the step in flight when a teardown races it (its side effect may exist without its event)', () => {
    const state = at(ev.requested(), ev.slug(), ev.database(), teardown);
    // run_migrations was next: it has no compensation of its own, so the database goes, then the slug.
    expect(react(state, NOW)).toEqual({ type: 'run', action: 'drop_database', attempt: 1 });
    const dnsInFlight = at(ev.requested(), ev.slug(), ev.database(), ev.migrations(), teardown);
    expect(react(dnsInFlight, NOW)).toEqual({ type: 'run', action: 'delete_dns', attempt: 1 });
  });

  it('concludes when nothing is left to undo', () => {
    const state = at(
      ev.requested(),
      ev.slug(),
      teardown,
      {
        type: 'DatabaseDropped',
        data: {
          attempt: 1,
          startedAt: NOW,
          finishedAt: NOW,
          databaseName: 'x',
          existed: false,
          terminatedConnections: 0,
        },
      },
      { type: 'SlugReleased', data: { attempt: 1, startedAt: NOW, finishedAt: NOW, slug: 'greenwood' } },
    );
    expect(react(state, NOW)).toEqual({ type: 'conclude' });
  });
});
