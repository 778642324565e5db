import type { SchoolEvent } from '../../src/domain/school/events.js';
import { STEPS } from '../../src/domain/school/steps.js';
import { countsOf, evolveFleet, type FleetCount, type FleetRow } from '../../src/reports/fleet/fleet-view.js';
import { evolveOnboarding, type OnboardingRow } from '../../src/reports/onboarding/onboarding-view.js';
import { evolveView } from '../../src/school/view/evolve-view.js';
import { stepRunOf } from '../../src/reports/steps/steps-view.js';
import type { ViewEvent } from '../../src/projections/view-event.js';
import { foldSpecification } from '../support/decider-spec.js';
import { ev, everyStepDone, LATER, NOW, SCHOOL_ID } from '../support/school-spec.js';

/** given(events).when(event).then(row): a view's row once one more event is folded into it. */
const viewSpecification = <Row>(evolve: (row: Row | undefined, event: ViewEvent) => Row | undefined) =>
  foldSpecification(evolve, () => undefined, evolve);
const onboarding = viewSpecification(evolveOnboarding);
const fleet = viewSpecification(evolveFleet);
const schoolView = viewSpecification(evolveView);
/** when(event).then(run): a run is one event's own, whatever came before, so the steps view has no given. */
const stepsView = foldSpecification(
  (state: undefined) => state,
  () => undefined,
  (_, event: ViewEvent) => stepRunOf(SCHOOL_ID, event),
)();

const at = (event: SchoolEvent, revision: number, now = NOW): ViewEvent =>
  ({ ...event, metadata: { now }, revision }) as ViewEvent;
/** An event type this version does not know (another engineer's schema rollout, a newer process's). */
const unknown = (revision: number) =>
  ({
    type: 'SomeEventOfALaterVersion',
    data: { anything: '0009' },
    metadata: { now: LATER },
    revision,
  }) as unknown as ViewEvent;

/** A provisioned school's history as recorded: every step done at NOW, then SchoolProvisioned at LATER. */
const stepsDone = () => everyStepDone().map((e, i) => at(e, i));
const provisionedEvent = () => at(ev.provisioned(), STEPS.length + 1, LATER);
const provisioned = () => [...stepsDone(), provisionedEvent()];

const stepFailed: SchoolEvent = {
  type: 'ProvisioningStepFailed',
  data: { step: 'create_dns', attempt: 3, error: 'zone busy', startedAt: NOW, finishedAt: LATER },
};
const rollbackStarted: SchoolEvent = {
  type: 'RollbackStarted',
  data: { failedStep: 'create_dns', reason: 'zone busy' },
};
const rolledBack: SchoolEvent = {
  type: 'SchoolRolledBack',
  data: { failedStep: 'create_dns', reason: 'zone busy', finishedAt: LATER },
};
const deleted = (revision: number, now = NOW) =>
  at({ type: 'SchoolDeleted', data: { deletedAt: LATER } }, revision, now);
const changed = (changes: Record<string, string>, revision: number) =>
  at({ type: 'SchoolDetailsChanged', data: { changes, previous: {}, changedAt: LATER } }, revision, LATER);

describe('onboarding view', () => {
  it('given a provisioned school, then its row has the request and activation times', () => {
    onboarding(...stepsDone())
      .when(provisionedEvent())
      .then({
        school_id: SCHOOL_ID,
        district: 'Pune',
        board: 'CBSE',
        requested_at: NOW,
        activated_at: LATER,
        failed_at: null,
        deleted_at: null,
      } satisfies OnboardingRow);
  });

  it('given a rollback, then the row is failed; given a deletion, then deleted', () => {
    const rollingBack = [at(ev.requested(), 0), at(stepFailed, 1), at(rollbackStarted, 2)];
    onboarding(...rollingBack)
      .when(at(rolledBack, 3))
      .then((failed) => expect(failed).toMatchObject({ activated_at: null, failed_at: LATER }));
    onboarding(...rollingBack, at(rolledBack, 3))
      .when(deleted(5))
      .then((row) => expect(row).toMatchObject({ deleted_at: LATER }));
  });

  it('given changed details, then the district and board it has now', () => {
    onboarding(...provisioned())
      .when(changed({ board: 'ICSE', phone: '+911234567' }, 9))
      .then((row) => expect(row).toMatchObject({ district: 'Pune', board: 'ICSE', activated_at: LATER }));
  });

  it('ignores events before SchoolRequested and event types it does not know', () => {
    onboarding().when(at(ev.slug(), 1)).then(undefined);
    onboarding(...provisioned())
      .when(unknown(9))
      .then((row, before) => expect(row).toBe(before));
  });
});

describe('steps view', () => {
  it('given a step event, then one succeeded run with its attempt and duration from the event times', () => {
    const dns = ev.dns() as SchoolEvent & { type: 'DnsRecordCreated' };
    stepsView.when(at({ ...dns, data: { ...dns.data, attempt: 2, startedAt: NOW, finishedAt: LATER } }, 4)).then({
      school_id: SCHOOL_ID,
      revision: 4,
      action: 'create_dns',
      kind: 'step',
      attempt: 2,
      outcome: 'succeeded',
      started_at: NOW,
      finished_at: LATER,
      duration_ms: 5000,
      error: null,
    });
  });

  it('given failures and a compensation, then failed runs with reasons and a compensation run', () => {
    const retried: SchoolEvent = {
      type: 'StepAttemptFailed',
      data: { step: 'create_dns', attempt: 1, error: 'busy', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
    };
    stepsView
      .when(at(retried, 4))
      .then((run) =>
        expect(run).toMatchObject({ action: 'create_dns', kind: 'step', outcome: 'failed', error: 'busy' }),
      );
    stepsView
      .when(at(stepFailed, 5))
      .then((run) => expect(run).toMatchObject({ action: 'create_dns', attempt: 3, outcome: 'failed' }));
    const run = { attempt: 1, startedAt: NOW, finishedAt: LATER };
    const dropped: SchoolEvent = {
      type: 'DatabaseDropped',
      data: { ...run, databaseName: 'd', existed: true, terminatedConnections: 0 },
    };
    stepsView
      .when(at(dropped, 7))
      .then((run) =>
        expect(run).toMatchObject({ action: 'drop_database', kind: 'compensation', outcome: 'succeeded' }),
      );
  });

  it('given a lifecycle action, then a run of kind lifecycle (update_registry), failed ones too', () => {
    const run = { attempt: 2, startedAt: NOW, finishedAt: LATER };
    const updated: SchoolEvent = {
      type: 'SchoolRegistryUpdated',
      data: { ...run, name: 'G', district: 'Pune', board: 'CBSE', adminEmail: 'a@b.in', existed: true },
    };
    stepsView
      .when(at(updated, 10))
      .then((row) => expect(row).toMatchObject({ action: 'update_registry', kind: 'lifecycle', attempt: 2 }));
    const failed: SchoolEvent = {
      type: 'StepAttemptFailed',
      data: { ...run, step: 'update_registry', error: 'boom', retryAt: LATER },
    };
    stepsView
      .when(at(failed, 9))
      .then((row) => expect(row).toMatchObject({ kind: 'lifecycle', outcome: 'failed', error: 'boom' }));
  });

  it('records no run for events that are not runs, nor for types it does not know', () => {
    stepsView.when(at(ev.requested(), 0)).then(undefined);
    stepsView.when(at(ev.provisioned(), 8)).then(undefined);
    stepsView.when(unknown(9)).then(undefined);
  });

  it('counts the provisioning delivery as a step and a delivery after a renewal as part of the renewal', () => {
    const delivered = ev.delivered() as SchoolEvent & { type: 'CertificateDelivered' };
    stepsView
      .when(at(delivered, 6))
      .then((run) => expect(run).toMatchObject({ action: 'deliver_certificate', kind: 'step' }));
    const again = { ...delivered, data: { ...delivered.data, serialNumber: 'cd34', renewal: true } };
    stepsView
      .when(at(again, 12))
      .then((run) =>
        expect(run).toMatchObject({ action: 'deliver_certificate', kind: 'renewal', outcome: 'succeeded' }),
      );
  });
});

describe('fleet view', () => {
  it('given a school moving between combinations, then one less in the old and one more in the new, both kept', () => {
    const rowAfter = (events: ViewEvent[]) => events.reduce<FleetRow | undefined>(evolveFleet, undefined)!;
    const counts = new Map<string, FleetCount>();
    const requested = rowAfter([at(ev.requested(), 0)]);
    const active = rowAfter(provisioned());
    countsOf(counts, undefined, requested);
    countsOf(counts, requested, active);
    const key = { district: 'Pune', board: 'CBSE' };
    expect([...counts.values()]).toEqual<FleetCount[]>([
      { status: 'provisioning', ...key, schema_version: '', with_certificate: false, n: 0 },
      { status: 'active', ...key, schema_version: '0003', with_certificate: true, n: 1 },
    ]);
  });

  it('given a provisioned school, then active since its SchoolProvisioned, with schema and certificate', () => {
    fleet(...stepsDone())
      .when(provisionedEvent())
      .then({
        school_id: SCHOOL_ID,
        slug: 'greenwood',
        district: 'Pune',
        board: 'CBSE',
        status: 'active',
        status_since: LATER,
        schema_version: '0003',
        certificate_not_after: '2027-02-22T10:00:00.000Z',
      } satisfies FleetRow);
  });

  it('given schema upgrades, then the version the last upgrade (or the failed one) left the database at', () => {
    const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
    const upgraded = at(
      {
        type: 'SchoolSchemaUpgraded',
        data: { ...run, databaseName: 'db', from: '0003', to: '0005', migrations: ['0004_a', '0005_b'], durationMs: 3 },
      },
      9,
      LATER,
    );
    const failed = at(
      {
        type: 'SchoolSchemaUpgradeFailed',
        data: { ...run, databaseName: 'db', migration: '0007_c', error: 'boom', permanent: false, version: '0006' },
      },
      10,
      LATER,
    );
    fleet(...provisioned())
      .when(upgraded)
      .then((row) => expect(row?.schema_version).toBe('0005'));
    fleet(...provisioned(), upgraded)
      .when(failed)
      .then((row) => expect(row?.schema_version).toBe('0006'));
  });

  it('given a teardown, then deprovisioning then deleted, the certificate gone when revoked', () => {
    const teardown = at({ type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } }, 9, LATER);
    const revoked = at(
      {
        type: 'CertificateRevoked',
        data: { attempt: 1, startedAt: LATER, finishedAt: LATER, provider: 'local', revoked: true },
      },
      10,
      LATER,
    );
    fleet(...provisioned(), teardown)
      .when(revoked)
      .then((row) => expect(row).toMatchObject({ status: 'deprovisioning', certificate_not_after: null }));
    fleet(...provisioned(), teardown, revoked)
      .when(deleted(11, LATER))
      .then((row) => expect(row).toMatchObject({ status: 'deleted' }));
  });

  it('given changed details, then the district and board it has now (the slug never changes)', () => {
    fleet(...provisioned())
      .when(changed({ district: 'Nashik', name: 'G' }, 9))
      .then((row) =>
        expect(row).toMatchObject({ district: 'Nashik', board: 'CBSE', slug: 'greenwood', status_since: LATER }),
      );
    fleet(...provisioned(), changed({ district: 'Nashik', name: 'G' }, 9))
      .when(changed({ board: 'ICSE' }, 10))
      .then((row) => expect(row).toMatchObject({ district: 'Nashik', board: 'ICSE' }));
  });

  it('given a suspension and its undoing, then suspending, suspended, resuming, active, each since its event', () => {
    const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
    const events: ViewEvent[] = (
      [
        { type: 'SchoolSuspensionRequested', data: { reason: 'lapsed', requestedAt: LATER, statusBefore: 'active' } },
        { type: 'SchoolSuspended', data: { ...run, reason: 'lapsed', terminatedSessions: 0 } },
        { type: 'SchoolResumeRequested', data: { requestedAt: LATER, statusBefore: 'suspended' } },
        { type: 'SchoolResumed', data: run },
      ] satisfies SchoolEvent[]
    ).map((event, i) => at(event, 9 + i, `2026-11-25T0${i}:00:00.000Z`));
    const expected = [
      ['suspending', '2026-11-25T00:00:00.000Z'],
      ['suspended', '2026-11-25T01:00:00.000Z'],
      ['resuming', '2026-11-25T02:00:00.000Z'],
      ['active', '2026-11-25T03:00:00.000Z'],
    ];
    events.forEach((event, i) => {
      fleet(...provisioned(), ...events.slice(0, i))
        .when(event)
        .then((row) => expect([row?.status, row?.status_since]).toEqual(expected[i]));
    });
  });

  it('ignores event types it does not know', () => {
    fleet(...provisioned())
      .when(unknown(9))
      .then((row, before) => expect(row).toBe(before));
  });
});

describe('school view: event types it does not know', () => {
  it('keeps the view as it was (the revision moves on), instead of storing the unknown event as the view', () => {
    schoolView(...provisioned())
      .when(unknown(9))
      .then((next, view) => expect(next).toEqual({ ...view, updatedAt: LATER, revision: 9 }));
  });
});
