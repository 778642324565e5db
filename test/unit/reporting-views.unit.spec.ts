import type { SchoolEvent } from '../../src/domain/school/events.js';
import { countsOf, evolveFleet, type FleetCount, type FleetRow } from '../../src/projections/fleet/fleet-view.js';
import { evolveOnboarding, type OnboardingRow } from '../../src/projections/onboarding/onboarding-view.js';
import { evolveView, foldView } from '../../src/projections/school-read-model/evolve-view.js';
import { stepRunOf } from '../../src/projections/steps/steps-view.js';
import type { ViewEvent } from '../../src/projections/view-event.js';
import { ev, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

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

function fold<Row>(
  evolve: (row: Row | undefined, e: ViewEvent) => Row | undefined,
  events: ViewEvent[],
): Row | undefined {
  return events.reduce<Row | undefined>((row, e) => evolve(row, e), undefined);
}

const provisioned = () => provisionedSchool().map((e, i) => at(e, i, e.type === 'SchoolProvisioned' ? LATER : NOW));
const rollback = (): SchoolEvent[] => [
  {
    type: 'ProvisioningStepFailed',
    data: { step: 'create_dns', attempt: 3, error: 'zone busy', startedAt: NOW, finishedAt: LATER },
  },
  { type: 'RollbackStarted', data: { failedStep: 'create_dns', reason: 'zone busy' } },
  { type: 'SchoolRolledBack', data: { failedStep: 'create_dns', reason: 'zone busy', finishedAt: LATER } },
];

describe('onboarding view', () => {
  it('given a provisioned school, then its row has the request and activation times', () => {
    expect(fold(evolveOnboarding, provisioned())).toEqual<OnboardingRow>({
      school_id: SCHOOL_ID,
      district: 'Pune',
      board: 'CBSE',
      requested_at: NOW,
      activated_at: LATER,
      failed_at: null,
      deleted_at: null,
    });
  });

  it('given a rollback, then the row is failed; given a deletion, then deleted', () => {
    const failed = fold(evolveOnboarding, [at(ev.requested(), 0), ...rollback().map((e, i) => at(e, i + 1))]);
    expect(failed).toMatchObject({ activated_at: null, failed_at: LATER });
    const deleted = evolveOnboarding(failed, at({ type: 'SchoolDeleted', data: { deletedAt: LATER } }, 5));
    expect(deleted).toMatchObject({ deleted_at: LATER });
  });

  it('ignores events before SchoolRequested and event types it does not know', () => {
    expect(evolveOnboarding(undefined, at(ev.slug(), 1))).toBeUndefined();
    const row = fold(evolveOnboarding, provisioned());
    expect(evolveOnboarding(row, unknown(9))).toBe(row);
  });
});

describe('steps view', () => {
  it('given a step event, then one succeeded run with its attempt and duration from the event times', () => {
    const run = stepRunOf(
      SCHOOL_ID,
      at(
        {
          type: 'DnsRecordCreated',
          data: { ...(ev.dns().data as object), attempt: 2, startedAt: NOW, finishedAt: LATER },
        } as SchoolEvent,
        4,
      ),
    );
    expect(run).toEqual({
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
    const retried = stepRunOf(
      SCHOOL_ID,
      at(
        {
          type: 'StepAttemptFailed',
          data: { step: 'create_dns', attempt: 1, error: 'busy', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
        },
        4,
      ),
    );
    expect(retried).toMatchObject({ action: 'create_dns', kind: 'step', outcome: 'failed', error: 'busy' });
    expect(stepRunOf(SCHOOL_ID, at(rollback()[0], 5))).toMatchObject({
      action: 'create_dns',
      attempt: 3,
      outcome: 'failed',
    });
    const dropped: SchoolEvent = {
      type: 'DatabaseDropped',
      data: {
        attempt: 1,
        startedAt: NOW,
        finishedAt: LATER,
        databaseName: 'd',
        existed: true,
        terminatedConnections: 0,
      },
    };
    expect(stepRunOf(SCHOOL_ID, at(dropped, 7))).toMatchObject({
      action: 'drop_database',
      kind: 'compensation',
      outcome: 'succeeded',
    });
  });

  it('given a lifecycle action, then a run of kind lifecycle (update_registry), failed ones too', () => {
    const run = { attempt: 2, startedAt: NOW, finishedAt: LATER };
    const updated = at(
      {
        type: 'SchoolRegistryUpdated',
        data: { ...run, name: 'G', district: 'Pune', board: 'CBSE', adminEmail: 'a@b.in', existed: true },
      },
      10,
    );
    expect(stepRunOf(SCHOOL_ID, updated)).toMatchObject({ action: 'update_registry', kind: 'lifecycle', attempt: 2 });
    const failed = at(
      { type: 'StepAttemptFailed', data: { ...run, step: 'update_registry', error: 'boom', retryAt: LATER } },
      9,
    );
    expect(stepRunOf(SCHOOL_ID, failed)).toMatchObject({ kind: 'lifecycle', outcome: 'failed', error: 'boom' });
  });

  it('records no run for events that are not runs, nor for types it does not know', () => {
    expect(stepRunOf(SCHOOL_ID, at(ev.requested(), 0))).toBeUndefined();
    expect(stepRunOf(SCHOOL_ID, at(ev.provisioned(), 8))).toBeUndefined();
    expect(stepRunOf(SCHOOL_ID, unknown(9))).toBeUndefined();
  });

  it('counts the provisioning delivery as a step and a delivery after a renewal as part of the renewal', () => {
    const delivered = ev.delivered() as SchoolEvent & { type: 'CertificateDelivered' };
    expect(stepRunOf(SCHOOL_ID, at(delivered, 6))).toMatchObject({ action: 'deliver_certificate', kind: 'step' });
    const again = { ...delivered, data: { ...delivered.data, serialNumber: 'cd34', renewal: true } };
    expect(stepRunOf(SCHOOL_ID, at(again, 12))).toMatchObject({
      action: 'deliver_certificate',
      kind: 'renewal',
      outcome: 'succeeded',
    });
  });
});

describe('fleet view', () => {
  it('given a school moving between combinations, then one less in the old and one more in the new, both kept', () => {
    const counts = new Map<string, FleetCount>();
    const requested = fold(evolveFleet, provisioned().slice(0, 1))!;
    const active = fold(evolveFleet, provisioned())!;
    countsOf(counts, undefined, requested);
    countsOf(counts, requested, active);
    const key = { district: 'Pune', board: 'CBSE' };
    expect([...counts.values()]).toEqual<FleetCount[]>([
      { status: 'provisioning', ...key, schema_version: '', with_certificate: false, n: 0 },
      { status: 'active', ...key, schema_version: '0003', with_certificate: true, n: 1 },
    ]);
  });

  it('given a provisioned school, then active since its SchoolProvisioned, with schema and certificate', () => {
    expect(fold(evolveFleet, provisioned())).toEqual<FleetRow>({
      school_id: SCHOOL_ID,
      slug: 'greenwood',
      district: 'Pune',
      board: 'CBSE',
      status: 'active',
      status_since: LATER,
      schema_version: '0003',
      certificate_not_after: '2027-02-22T10:00:00.000Z',
    });
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
    expect(fold(evolveFleet, [...provisioned(), upgraded])?.schema_version).toBe('0005');
    expect(fold(evolveFleet, [...provisioned(), upgraded, failed])?.schema_version).toBe('0006');
  });

  it('given a teardown, then deprovisioning then deleted, the certificate gone when revoked', () => {
    const row = fold(evolveFleet, [
      ...provisioned(),
      at({ type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } }, 9, LATER),
      at(
        {
          type: 'CertificateRevoked',
          data: { attempt: 1, startedAt: LATER, finishedAt: LATER, provider: 'local', revoked: true },
        },
        10,
        LATER,
      ),
    ]);
    expect(row).toMatchObject({ status: 'deprovisioning', certificate_not_after: null });
    expect(evolveFleet(row, at({ type: 'SchoolDeleted', data: { deletedAt: LATER } }, 11, LATER))).toMatchObject({
      status: 'deleted',
    });
  });

  it('given changed details, then the district and board it has now (the slug never changes)', () => {
    const changed = (changes: Record<string, string>, revision: number) =>
      at({ type: 'SchoolDetailsChanged', data: { changes, previous: {}, changedAt: LATER } }, revision, LATER);
    const row = fold(evolveFleet, [...provisioned(), changed({ district: 'Nashik', name: 'G' }, 9)]);
    expect(row).toMatchObject({ district: 'Nashik', board: 'CBSE', slug: 'greenwood', status_since: LATER });
    expect(evolveFleet(row, changed({ board: 'ICSE' }, 10))).toMatchObject({ district: 'Nashik', board: 'ICSE' });
    const onboarding = fold(evolveOnboarding, [...provisioned(), changed({ board: 'ICSE', phone: '+911234567' }, 9)]);
    expect(onboarding).toMatchObject({ district: 'Pune', board: 'ICSE', activated_at: LATER });
  });

  it('given a suspension and its undoing, then suspending, suspended, resuming, active, each since its event', () => {
    const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
    const events: SchoolEvent[] = [
      { type: 'SchoolSuspensionRequested', data: { reason: 'lapsed', requestedAt: LATER, statusBefore: 'active' } },
      { type: 'SchoolSuspended', data: { ...run, reason: 'lapsed', terminatedSessions: 0 } },
      { type: 'SchoolResumeRequested', data: { requestedAt: LATER, statusBefore: 'suspended' } },
      { type: 'SchoolResumed', data: run },
    ];
    let row = fold(evolveFleet, provisioned());
    const statuses = events.map((event, i) => {
      row = evolveFleet(row, at(event, 9 + i, `2026-11-25T0${i}:00:00.000Z`));
      return [row?.status, row?.status_since];
    });
    expect(statuses).toEqual([
      ['suspending', '2026-11-25T00:00:00.000Z'],
      ['suspended', '2026-11-25T01:00:00.000Z'],
      ['resuming', '2026-11-25T02:00:00.000Z'],
      ['active', '2026-11-25T03:00:00.000Z'],
    ]);
  });

  it('ignores event types it does not know', () => {
    const row = fold(evolveFleet, provisioned());
    expect(evolveFleet(row, unknown(9))).toBe(row);
  });
});

describe('school view: event types it does not know', () => {
  it('keeps the view as it was (the revision moves on), instead of storing the unknown event as the view', () => {
    const view = foldView(provisioned());
    const next = evolveView(view, unknown(9) as never);
    expect(next).toEqual({ ...view, updatedAt: LATER, revision: 9 });
  });
});
