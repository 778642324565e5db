import type { SchoolCommand } from '../../src/domain/school/commands.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { isRenewalDue, renewalDueAt } from '../../src/domain/school/renewal.js';
import { details, ev, given, historyBefore, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const requestSchool: SchoolCommand = {
  type: 'RequestSchool',
  data: {
    schoolId: SCHOOL_ID,
    details,
    databaseName: 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f',
    subdomain: 'greenwood.syncad.in',
    slugStream: 'school_slug-greenwood',
    slugRevision: 0,
    now: NOW,
  },
};
const result = (action: string, event: SchoolEvent): SchoolCommand => ({
  type: 'RecordStepResult',
  data: { action: action as never, event, now: LATER },
});
const failure = (action: string, attempt: number, permanent: boolean, maxAttempts = 3): SchoolCommand => ({
  type: 'RecordStepFailure',
  data: {
    action: action as never,
    attempt,
    error: 'boom',
    permanent,
    maxAttempts,
    retryAt: LATER,
    startedAt: NOW,
    finishedAt: NOW,
    now: NOW,
  },
});

describe('decide: requesting a school', () => {
  it('records the request and the slug reservation', () => {
    given().when(requestSchool).then([ev.requested(), ev.slug()]);
  });

  it('refuses a second request for the same school id', () => {
    given(ev.requested()).when(requestSchool).thenThrows('school_already_exists');
  });

  it('refuses details the domain rules reject, whatever the entry point', () => {
    const bad = {
      ...requestSchool,
      data: { ...requestSchool.data, details: { ...details, slug: 'xn--abc', phone: '12345' } },
    } as SchoolCommand;
    given().when(bad).thenThrows('invalid_details');
  });
});

describe('decide: recording steps', () => {
  it('records a step result once; a re-run after a crash records nothing', () => {
    given(ev.requested(), ev.slug()).when(result('create_database', ev.database())).then([ev.database()]);
    given(ev.requested(), ev.slug(), ev.database()).when(result('create_database', ev.database())).then([]);
  });

  it('refuses a result that does not belong to the step', () => {
    given(ev.requested(), ev.slug()).when(result('create_database', ev.dns())).thenThrows('unexpected_result');
  });

  it('concludes provisioning with the last step', () => {
    given(...historyBefore('send_welcome_email'))
      .when(result('send_welcome_email', ev.emailed()))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['WelcomeEmailSent', 'SchoolProvisioned']);
        expect(events[1].data).toEqual({ provisionedAt: LATER, durationMs: 5000 });
      });
  });

  it('schedules a retry for a transient failure below the attempt limit', () => {
    given(ev.requested(), ev.slug())
      .when(failure('create_database', 1, false))
      .then([
        {
          type: 'StepAttemptFailed',
          data: { step: 'create_database', attempt: 1, error: 'boom', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
        },
      ]);
  });

  it('rolls back when a critical step fails permanently', () => {
    given(...historyBefore('issue_certificate'))
      .when(failure('issue_certificate', 1, true))
      .thenTypes(['ProvisioningStepFailed', 'RollbackStarted']);
  });

  it('rolls back when a transient failure exhausts its attempts, saying so', () => {
    given(ev.requested(), ev.slug())
      .when(failure('create_database', 3, false, 3))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['ProvisioningStepFailed', 'RollbackStarted']);
        expect(events[1].data).toEqual({ failedStep: 'create_database', reason: 'boom (gave up after 3 attempts)' });
      });
  });

  it('leaves the school active with a warning when the welcome email fails', () => {
    given(...historyBefore('send_welcome_email'))
      .when(failure('send_welcome_email', 1, true))
      .thenTypes(['NonCriticalStepFailed', 'SchoolProvisioned']);
  });

  it('ignores a failure of a step that is not the current one (a stale runner)', () => {
    given(ev.requested(), ev.slug(), ev.database())
      .when(failure('create_database', 1, true))
      .then([]);
  });

  it('never abandons a compensation: its failures are always retried', () => {
    const history = [
      ev.requested(),
      ev.slug(),
      { type: 'TeardownRequested', data: { requestedAt: NOW, statusBefore: 'provisioning' } } as SchoolEvent,
    ];
    given(...history)
      .when(failure('release_slug', 50, true))
      .thenTypes(['StepAttemptFailed']);
  });
});

describe('decide: teardown', () => {
  it('tears down an active school', () => {
    given(...provisionedSchool())
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .then([{ type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } }]);
  });

  it('accepts a teardown while provisioning (it rolls back what was done)', () => {
    given(ev.requested(), ev.slug())
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .thenTypes(['TeardownRequested']);
  });

  it('is idempotent while deprovisioning and refuses a deleted school', () => {
    const tearing = [
      ...provisionedSchool(),
      { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } } as SchoolEvent,
    ];
    given(...tearing)
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .then([]);
    given(...tearing, { type: 'SchoolDeleted', data: { deletedAt: LATER } })
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .thenThrows('school_deleted');
  });

  it('refuses an unknown school', () => {
    given()
      .when({ type: 'RequestTeardown', data: { now: LATER } })
      .thenThrows('school_not_found');
  });

  it('deletes the school with its last compensation', () => {
    const history: SchoolEvent[] = [
      ev.requested(),
      ev.slug(),
      { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'provisioning' } },
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
    ];
    given(...history)
      .when(
        result('release_slug', {
          type: 'SlugReleased',
          data: { attempt: 1, startedAt: NOW, finishedAt: NOW, slug: 'greenwood' },
        }),
      )
      .thenTypes(['SlugReleased', 'SchoolDeleted']);
  });
});

describe('decide and renewalDueAt: certificate renewal', () => {
  const renewedEvent = (previous: string) => ({
    type: 'CertificateRenewed' as const,
    data: {
      provider: 'local',
      domain: 'greenwood.syncad.in',
      reference: 'local:cd34',
      serialNumber: 'cd34',
      issuer: 'CN=SCS Local CA',
      notBefore: LATER,
      notAfter: '2027-03-01T00:00:00.000Z',
      previousSerialNumber: previous,
      attempt: 1,
      startedAt: LATER,
      finishedAt: LATER,
    },
  });

  it('replaces the current certificate of a live school, once', () => {
    given(...provisionedSchool())
      .when({ type: 'RecordCertificateRenewal', data: { event: renewedEvent('ab12'), now: LATER } })
      .then([renewedEvent('ab12')]);
    given(...provisionedSchool(), renewedEvent('ab12'))
      .when({ type: 'RecordCertificateRenewal', data: { event: renewedEvent('ab12'), now: LATER } })
      .then([]);
  });

  it('records a delivery by the renewer only for the live certificate of a live school, when it is news', () => {
    const delivered = (serialNumber: string, delivery = 'files') => ({
      type: 'CertificateDelivered' as const,
      data: {
        ...{ attempt: 1, startedAt: LATER, finishedAt: LATER, delivery, domain: 'greenwood.syncad.in', serialNumber },
        ...{ location: '/srv/tls/greenwood.syncad.in', changed: true, renewal: true },
      },
    });
    const record = (event: ReturnType<typeof delivered>): SchoolCommand => ({
      type: 'RecordCertificateDelivery',
      data: { event, now: LATER },
    });
    const renewed = [...provisionedSchool(), renewedEvent('ab12')];
    given(...renewed)
      .when(record(delivered('cd34')))
      .then([delivered('cd34')]);
    // A repeat (a re-run after a crash) and a stale serial change nothing.
    given(...renewed, delivered('cd34'))
      .when(record(delivered('cd34')))
      .then([]);
    given(...renewed)
      .when(record(delivered('ab12')))
      .then([]);
    // The same certificate delivered by another CERT_DELIVERY is news (provisioned with `none` here).
    given(...provisionedSchool())
      .when(record(delivered('ab12')))
      .then([delivered('ab12')]);
    given(...provisionedSchool())
      .when(record(delivered('ab12', 'none')))
      .then([]);
    const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };
    given(...renewed, teardown)
      .when(record(delivered('cd34')))
      .then([]);
  });

  it('records a failed renewal only for the certificate it tried to replace', () => {
    const failure = (serialNumber: string): SchoolCommand => ({
      type: 'RecordCertificateRenewalFailure',
      data: {
        serialNumber,
        attempt: 1,
        error: 'rate limited',
        retryAt: LATER,
        startedAt: NOW,
        finishedAt: NOW,
        now: NOW,
      },
    });
    given(...provisionedSchool())
      .when(failure('ab12'))
      .thenTypes(['CertificateRenewalFailed']);
    given(...provisionedSchool())
      .when(failure('old'))
      .then([]);
  });

  it('is due at two thirds of the lifetime, or at the retry time after a failure', () => {
    const state = fold(provisionedSchool())!;
    // notBefore NOW (10:00:00), notAfter 2027-02-22T10:00:00 → two thirds in.
    const due = renewalDueAt(state)!;
    expect(due).toBe(Date.parse(NOW) + (2 / 3) * (Date.parse('2027-02-22T10:00:00.000Z') - Date.parse(NOW)));
    expect(isRenewalDue(state, new Date(due - 1))).toBe(false);
    expect(isRenewalDue(state, new Date(due))).toBe(true);
    const retrying = fold([
      ...provisionedSchool(),
      {
        type: 'CertificateRenewalFailed',
        data: {
          serialNumber: 'ab12',
          attempt: 1,
          error: 'x',
          retryAt: '2027-02-01T00:00:00.000Z',
          startedAt: NOW,
          finishedAt: NOW,
        },
      },
    ])!;
    expect(renewalDueAt(retrying)).toBe(Date.parse('2027-02-01T00:00:00.000Z'));
    expect(
      renewalDueAt(
        fold([
          ...provisionedSchool(),
          { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } },
        ])!,
      ),
    ).toBeUndefined();
  });
});

describe('decide: moving a school to another tenant server', () => {
  const start = (to: string): SchoolCommand => ({ type: 'StartMove', data: { to, now: NOW } });
  const started = (to: string, from = 'central'): SchoolEvent => ({
    type: 'SchoolMoveStarted',
    data: { from, to, startedAt: NOW },
  });
  const done = { to: 'two', tables: 3, rows: 7, downtimeMs: 40, startedAt: NOW, finishedAt: LATER };

  it('starts a move of a live school from the server its DatabaseCreated names', () => {
    given(...provisionedSchool())
      .when(start('two'))
      .then([started('two')]);
  });

  it('resumes a move to the same server, refuses another, refuses a school that is not active or already there', () => {
    given(...provisionedSchool(), started('two'))
      .when(start('two'))
      .then([]);
    given(...provisionedSchool(), started('two'))
      .when(start('three'))
      .thenThrows('move_refused');
    given(ev.requested(), ev.slug()).when(start('two')).thenThrows('move_refused');
    given(...provisionedSchool())
      .when(start('central'))
      .thenThrows('move_refused');
  });

  it('records the switch once, after which the school is on the new server', () => {
    const record: SchoolCommand = { type: 'RecordMove', data: { ...done, now: LATER } };
    const moved: SchoolEvent = { type: 'SchoolMoved', data: { ...done, from: 'central' } };
    given(...provisionedSchool(), started('two'))
      .when(record)
      .then([moved]);
    given(...provisionedSchool(), started('two'), moved)
      .when(record)
      .then([]);
    expect(fold([...provisionedSchool(), started('two'), moved])).toMatchObject({ server: 'two', move: undefined });
  });

  it('records a failed move, which leaves the school where it was', () => {
    const data = { to: 'two', error: 'boom', startedAt: NOW, finishedAt: LATER };
    const failed: SchoolEvent = { type: 'SchoolMoveFailed', data: { ...data, from: 'central' } };
    const record: SchoolCommand = { type: 'RecordMoveFailure', data: { ...data, now: LATER } };
    given(...provisionedSchool(), started('two'))
      .when(record)
      .then([failed]);
    const after = fold([...provisionedSchool(), started('two'), failed]);
    expect(after).toMatchObject({ server: 'central', move: undefined });
  });
});
