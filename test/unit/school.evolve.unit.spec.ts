import { schoolDecider } from '../../src/domain/school/decide.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { isDeliveryBehind } from '../../src/domain/school/renewal.js';
import { foldSpecification } from '../support/decider-spec.js';
import { ev, everyStepDone, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

/** given(history).when(event).then(state): the school's state once one more event is folded. */
const given = foldSpecification(schoolDecider.evolve, schoolDecider.initialState, schoolDecider.evolve);

const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };

describe('evolve: the school state', () => {
  it('keeps the delivered certificate, behind the live one after a renewal until delivered again', () => {
    given(...everyStepDone())
      .when(ev.provisioned())
      .then((state) => {
        expect(state!.resources.delivered).toEqual({ delivery: 'none', serialNumber: 'ab12', at: NOW });
        expect(isDeliveryBehind(state!, 'none')).toBe(false);
        // Another CERT_DELIVERY than the one it was delivered with: delivered again.
        expect(isDeliveryBehind(state!, 'files')).toBe(true);
      });
    given(...provisionedSchool())
      .when(ev.renewed())
      .then((renewed) => {
        expect(isDeliveryBehind(renewed!, 'none')).toBe(true);
        // Only live schools are delivered to.
        expect(isDeliveryBehind({ ...renewed!, status: 'deprovisioning' }, 'none')).toBe(false);
      });
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
    given(...provisionedSchool(), ev.renewed())
      .when(again)
      .then((delivered) => {
        expect(isDeliveryBehind(delivered!, 'none')).toBe(false);
        expect(delivered!.steps.deliver_certificate).toEqual(fold(provisionedSchool())!.steps.deliver_certificate);
      });
    const withdrawn: SchoolEvent = {
      type: 'CertificateWithdrawn',
      data: { ...run, delivery: 'none', domain: 'greenwood.syncad.in', existed: false, owned: true },
    };
    given(...provisionedSchool(), ev.renewed(), again, teardown)
      .when(withdrawn)
      .then((torn) => {
        expect(torn!.resources.delivered).toBeUndefined();
        expect(torn!.undo.withdraw_certificate?.status).toBe('succeeded');
        expect(torn!.steps.deliver_certificate.status).toBe('undone');
      });
  });

  it('is provisioning with the slug reserved after the request', () => {
    given(ev.requested())
      .when(ev.slug())
      .then((state) => {
        expect(state!.status).toBe('provisioning');
        expect(state!.steps.reserve_slug).toMatchObject({ status: 'succeeded', attempts: 1 });
        expect(state!.steps.create_database.status).toBe('pending');
        expect(state!.resources.slug).toBe(true);
      });
  });

  it('holds no school in a stream fenced as abandoned, whatever follows', () => {
    const fence: SchoolEvent = {
      type: 'SchoolRequestAbandoned',
      data: { schoolId: 'x', slug: 'greenwood', reason: 'abandoned claim' },
    };
    given().when(fence).then(undefined);
    given(fence).when(ev.slug()).then(undefined);
  });

  it('is active with every resource recorded after provisioning', () => {
    given(...everyStepDone())
      .when(ev.provisioned())
      .then((state) => {
        expect(state!.status).toBe('active');
        expect(Object.values(state!.steps).every((s) => s.status === 'succeeded')).toBe(true);
        expect(state!.resources).toMatchObject({
          slug: true,
          database: true,
          registered: true,
          dns: { name: 'greenwood.syncad.in' },
          certificate: { serialNumber: 'ab12' },
        });
      });
  });

  it('counts attempts and shows the pending retry', () => {
    const retrying: SchoolEvent = {
      type: 'StepAttemptFailed',
      data: { step: 'create_database', attempt: 2, error: 'timeout', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
    };
    given(ev.requested(), ev.slug())
      .when(retrying)
      .then((state) => {
        expect(state!.steps.create_database).toMatchObject({
          status: 'retrying',
          attempts: 2,
          error: 'timeout',
          retryAt: LATER,
        });
        expect(state!.pendingRetry).toEqual({ action: 'create_database', attempt: 2, retryAt: LATER });
      });
  });

  it('records the failure, the undo and the skipped steps of a rollback', () => {
    const rollback: SchoolEvent[] = [
      {
        type: 'ProvisioningStepFailed',
        data: { ...run, step: 'run_migrations', error: 'syntax error' },
      },
      { type: 'RollbackStarted', data: { failedStep: 'run_migrations', reason: 'syntax error' } },
      {
        type: 'DatabaseDropped',
        data: { ...run, databaseName: 'x', existed: true, terminatedConnections: 0 },
      },
      { type: 'SlugReleased', data: { ...run, slug: 'greenwood' } },
    ];
    const rolledBack: SchoolEvent = {
      type: 'SchoolRolledBack',
      data: { failedStep: 'run_migrations', reason: 'syntax error', finishedAt: LATER },
    };
    given(ev.requested(), ev.slug(), ev.database(), ...rollback)
      .when(rolledBack)
      .then((state) => {
        expect(state!.status).toBe('failed');
        expect(state!.failure).toEqual({ step: 'run_migrations', reason: 'syntax error' });
        expect(state!.steps.create_database.status).toBe('undone');
        expect(state!.steps.run_migrations.status).toBe('failed');
        expect(state!.steps.create_dns.status).toBe('skipped');
        expect(state!.resources).toMatchObject({ slug: false, database: false });
        expect(state!.undo.drop_database?.status).toBe('succeeded');
      });
  });

  it('takes updatedAt and revision from the recorded event', () => {
    given({ ...ev.requested(), revision: 0 })
      .when({ ...ev.slug(), revision: 1, metadata: { now: LATER } })
      .then((state) => {
        expect(state!.updatedAt).toBe(LATER);
        expect(state!.revision).toBe(1);
      });
  });
});
