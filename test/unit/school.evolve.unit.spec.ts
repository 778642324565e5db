import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { isDeliveryBehind } from '../../src/domain/school/renewal.js';
import { ev, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };

describe('evolve: the school state', () => {
  it('keeps the delivered certificate, behind the live one after a renewal until delivered again', () => {
    const state = fold(provisionedSchool())!;
    expect(state.resources.delivered).toEqual({ delivery: 'none', serialNumber: 'ab12', at: NOW });
    expect(isDeliveryBehind(state, 'none')).toBe(false);
    // Another CERT_DELIVERY than the one it was delivered with: delivered again.
    expect(isDeliveryBehind(state, 'files')).toBe(true);
    const renewed = fold([ev.renewed()], state)!;
    expect(isDeliveryBehind(renewed, 'none')).toBe(true);
    const again: SchoolEvent = {
      type: 'CertificateDelivered',
      data: {
        ...run,
        finishedAt: LATER,
        delivery: 'none',
        domain: 'greenwood.syncad.in',
        serialNumber: 'cd34',
        changed: false,
        renewal: true,
      },
    };
    const delivered = fold([again], renewed)!;
    expect(isDeliveryBehind(delivered, 'none')).toBe(false);
    expect(delivered.steps.deliver_certificate).toEqual(state.steps.deliver_certificate);
    // Only live schools are delivered to.
    expect(isDeliveryBehind({ ...renewed, status: 'deprovisioning' }, 'none')).toBe(false);
    const withdrawn: SchoolEvent = {
      type: 'CertificateWithdrawn',
      data: { ...run, delivery: 'none', domain: 'greenwood.syncad.in', existed: false, owned: true },
    };
    const torn = fold(
      [{ type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } }, withdrawn],
      delivered,
    )!;
    expect(torn.resources.delivered).toBeUndefined();
    expect(torn.undo.withdraw_certificate?.status).toBe('succeeded');
    expect(torn.steps.deliver_certificate.status).toBe('undone');
  });

  it('is provisioning with the slug reserved after the request', () => {
    const state = fold([ev.requested(), ev.slug()])!;
    expect(state.status).toBe('provisioning');
    expect(state.steps.reserve_slug).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(state.steps.create_database.status).toBe('pending');
    expect(state.resources.slug).toBe(true);
  });

  it('holds no school in a stream fenced as abandoned, whatever follows', () => {
    const fence: SchoolEvent = {
      type: 'SchoolRequestAbandoned',
      data: { schoolId: 'x', slug: 'greenwood', reason: 'abandoned claim' },
    };
    expect(fold([fence])).toBeUndefined();
    expect(fold([fence, ev.slug()])).toBeUndefined();
  });

  it('is active with every resource recorded after provisioning', () => {
    const state = fold(provisionedSchool())!;
    expect(state.status).toBe('active');
    expect(Object.values(state.steps).every((s) => s.status === 'succeeded')).toBe(true);
    expect(state.resources).toMatchObject({
      slug: true,
      database: true,
      registered: true,
      dns: { name: 'greenwood.syncad.in' },
      certificate: { serialNumber: 'ab12' },
    });
  });

  it('counts attempts and shows the pending retry', () => {
    const state = fold([
      ev.requested(),
      ev.slug(),
      {
        type: 'StepAttemptFailed',
        data: {
          step: 'create_database',
          attempt: 2,
          error: 'timeout',
          startedAt: NOW,
          finishedAt: NOW,
          retryAt: LATER,
        },
      },
    ])!;
    expect(state.steps.create_database).toMatchObject({
      status: 'retrying',
      attempts: 2,
      error: 'timeout',
      retryAt: LATER,
    });
    expect(state.pendingRetry).toEqual({ action: 'create_database', attempt: 2, retryAt: LATER });
  });

  it('records the failure, the undo and the skipped steps of a rollback', () => {
    const events: SchoolEvent[] = [
      ev.requested(),
      ev.slug(),
      ev.database(),
      {
        type: 'ProvisioningStepFailed',
        data: { step: 'run_migrations', attempt: 1, startedAt: NOW, finishedAt: NOW, error: 'syntax error' },
      },
      { type: 'RollbackStarted', data: { failedStep: 'run_migrations', reason: 'syntax error' } },
      {
        type: 'DatabaseDropped',
        data: {
          attempt: 1,
          startedAt: NOW,
          finishedAt: NOW,
          databaseName: 'x',
          existed: true,
          terminatedConnections: 0,
        },
      },
      { type: 'SlugReleased', data: { attempt: 1, startedAt: NOW, finishedAt: NOW, slug: 'greenwood' } },
      { type: 'SchoolRolledBack', data: { failedStep: 'run_migrations', reason: 'syntax error', finishedAt: LATER } },
    ];
    const state = fold(events)!;
    expect(state.status).toBe('failed');
    expect(state.failure).toEqual({ step: 'run_migrations', reason: 'syntax error' });
    expect(state.steps.create_database.status).toBe('undone');
    expect(state.steps.run_migrations.status).toBe('failed');
    expect(state.steps.create_dns.status).toBe('skipped');
    expect(state.resources).toMatchObject({ slug: false, database: false });
    expect(state.undo.drop_database?.status).toBe('succeeded');
  });

  it('takes updatedAt and revision from the recorded event', () => {
    const state = fold([
      { ...ev.requested(), revision: 0 },
      { ...ev.slug(), revision: 1, metadata: { now: LATER } },
    ] as never)!;
    expect(state.updatedAt).toBe(LATER);
    expect(state.revision).toBe(1);
  });
});
