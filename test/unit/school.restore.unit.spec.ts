import type { SchoolCommand } from '../../src/domain/school/commands.js';
import { decide } from '../../src/domain/school/decide.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { pendingCompensations } from '../../src/domain/school/plan.js';
import { react } from '../../src/domain/school/react.js';
import { UNDO_ORDER } from '../../src/domain/school/steps.js';
import { toIntegrationEvent } from '../../src/integration-events/integration-events.js';
import { foldView } from '../../src/school/view/evolve-view.js';
import { evolveFleet, type FleetRow } from '../../src/reports/fleet/fleet-view.js';
import { ev, given, LATER, NOW, provisionedSchool, SCHOOL_ID, stepsDone } from '../support/school-spec.js';

const DROPPED_AT = '2026-11-25T08:00:00.000Z';
const RESTORE_AT = '2026-11-30T09:00:00.000Z';
const archive = {
  location: `/var/lib/scs/archives/${SCHOOL_ID}/school_x.jsonl.gz`,
  format: 'scs-jsonl-v1',
  bytes: 4096,
  sha256: 'e'.repeat(64),
  rows: 12,
};
const undoRun = { attempt: 1, startedAt: DROPPED_AT, finishedAt: DROPPED_AT };
const databaseName = 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f';

/** A provisioned school torn down: every resource undone, the database archived first. */
function deletedSchool(): SchoolEvent[] {
  return [
    ...provisionedSchool(),
    { type: 'TeardownRequested', data: { requestedAt: DROPPED_AT, statusBefore: 'active' } },
    { type: 'SchoolUnregistered', data: { ...undoRun, existed: true } },
    {
      type: 'CertificateWithdrawn',
      data: { ...undoRun, delivery: 'none', domain: 'greenwood.syncad.in', existed: false, owned: true },
    },
    { type: 'CertificateRevoked', data: { ...undoRun, provider: 'local', revoked: true } },
    {
      type: 'DnsRecordDeleted',
      data: {
        ...undoRun,
        provider: 'local',
        name: 'greenwood.syncad.in',
        recordType: 'A',
        existed: true,
        reference: 'l',
      },
    },
    {
      type: 'DatabaseDropped',
      data: { ...undoRun, databaseName, existed: true, terminatedConnections: 0, archive },
    },
    { type: 'SlugReleased', data: { ...undoRun, slug: 'greenwood' } },
    { type: 'SchoolDeleted', data: { deletedAt: DROPPED_AT } },
  ];
}

const restore = (now = RESTORE_AT, notify = false, retentionDays = 30): SchoolCommand => ({
  type: 'RequestRestore',
  data: { now, notify, retentionDays, slugStream: 'school_slug-greenwood', slugRevision: 2 },
});
const restoreRequested = (notify = false): SchoolEvent => ({
  type: 'SchoolRestoreRequested',
  data: { requestedAt: RESTORE_AT, archive: { ...archive, archivedAt: DROPPED_AT }, notify, statusBefore: 'deleted' },
});
const slugAgain: SchoolEvent = {
  type: 'SlugReserved',
  data: {
    slug: 'greenwood',
    slugStream: 'school_slug-greenwood',
    slugRevision: 2,
    attempt: 1,
    startedAt: RESTORE_AT,
    finishedAt: RESTORE_AT,
  },
};
const run = { attempt: 1, startedAt: RESTORE_AT, finishedAt: RESTORE_AT };
const restoredDatabase: SchoolEvent = {
  type: 'DatabaseCreated',
  data: {
    ...run,
    databaseName,
    method: 'archive',
    alreadyExisted: false,
    durationMs: 300,
    server: 'central',
    restoredFrom: { ...archive, schemaVersion: '0003', tables: 60, rows: 12, sequences: 30 },
  },
};
const migrated = (generation: number): SchoolEvent => ({
  type: 'MigrationsApplied',
  data: {
    ...run,
    databaseName,
    schemaVersion: '0004',
    applied: ['0004_foreign_key_indexes'],
    tableCount: 60,
    durationMs: 20,
    credentialsKeyId: 'k2',
    credentialsGeneration: generation,
  },
});
const result = (action: 'register_school' | 'send_welcome_email', event: SchoolEvent): SchoolCommand => ({
  type: 'RecordStepResult',
  data: { action, event, now: LATER },
});
const restoredUpTo = (): SchoolEvent[] => [
  ...deletedSchool(),
  restoreRequested(),
  slugAgain,
  restoredDatabase,
  migrated(1),
  ...stepsDone('create_dns', 'register_school'),
];

describe('decide: restoring a deleted school', () => {
  it('records the request and the slug claimed again, with the archive its teardown made', () => {
    given(...deletedSchool())
      .when(restore())
      .then([restoreRequested(), slugAgain]);
  });

  it('refuses a school that is not deleted (404 for none, 409 not-deleted for the others)', () => {
    given().when(restore()).thenThrows('school_not_found');
    given(...provisionedSchool())
      .when(restore())
      .thenThrows('not_deleted');
    given(...deletedSchool(), restoreRequested(), slugAgain)
      .when(restore())
      .thenThrows('not_deleted');
  });

  it('refuses an archive past the retention, and a deleted school with no archive', () => {
    given(...deletedSchool())
      .when(restore('2026-12-25T08:00:00.000Z', false, 30))
      .thenThrows('archive_expired');
    given(...deletedSchool())
      .when(restore('2026-12-25T07:59:59.000Z', false, 30))
      .thenTypes(['SchoolRestoreRequested', 'SlugReserved']);
    // SCS_ARCHIVE_RETENTION_DAYS=0 keeps archives forever.
    given(...deletedSchool())
      .when(restore('2036-12-25T07:59:59.000Z', false, 0))
      .thenTypes(['SchoolRestoreRequested', 'SlugReserved']);
    const noArchive = deletedSchool().map((e) =>
      e.type === 'DatabaseDropped' ? { ...e, data: { ...e.data, archive: undefined } } : e,
    );
    given(...noArchive)
      .when(restore())
      .thenThrows('archive_expired');
  });

  it('concludes with SchoolRestored once the last step (no welcome back asked) is recorded', () => {
    given(...restoredUpTo())
      .when(result('register_school', ev.registered()))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['SchoolRegistered', 'SchoolRestored']);
        expect(events[1].data).toEqual({ restoredAt: LATER, durationMs: Date.parse(LATER) - Date.parse(RESTORE_AT) });
      });
  });

  it('with notify, the welcome-back email is the last step', () => {
    const history = restoredUpTo().map((e) => (e.type === 'SchoolRestoreRequested' ? restoreRequested(true) : e));
    given(...history)
      .when(result('register_school', ev.registered()))
      .thenTypes(['SchoolRegistered']);
    given(...history, ev.registered())
      .when(result('send_welcome_email', ev.emailed()))
      .thenTypes(['WelcomeEmailSent', 'SchoolRestored']);
  });

  it('a step failing for good rolls back, and the undo ends in SchoolRestoreFailed, not a failed school', () => {
    const failure: SchoolCommand = {
      type: 'RecordStepFailure',
      data: {
        action: 'create_database',
        attempt: 1,
        error: 'archive is damaged',
        permanent: true,
        maxAttempts: 5,
        retryAt: LATER,
        startedAt: LATER,
        finishedAt: LATER,
        now: LATER,
      },
    };
    const history = [...deletedSchool(), restoreRequested(), slugAgain];
    given(...history)
      .when(failure)
      .thenTypes(['ProvisioningStepFailed', 'RollbackStarted']);
    const failed = decide(failure, fold(history));
    const rolling = fold([...history, ...failed])!;
    expect(rolling.status).toBe('rolling_back');
    expect(pendingCompensations(rolling)).toEqual(['drop_database', 'release_slug']);
    const dropped: SchoolEvent = {
      type: 'DatabaseDropped',
      data: { ...run, databaseName, existed: true, terminatedConnections: 0 },
    };
    given(...history, ...failed, dropped)
      .when({
        type: 'RecordStepResult',
        data: {
          action: 'release_slug',
          event: { type: 'SlugReleased', data: { ...run, slug: 'greenwood' } },
          now: LATER,
        },
      })
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['SlugReleased', 'SchoolRestoreFailed']);
        expect(events[1].data).toEqual({
          failedStep: 'create_database',
          reason: 'archive is damaged',
          finishedAt: LATER,
        });
      });
  });
});

describe('evolve and react: a restore', () => {
  it('starts the steps again from reserve_slug done; the archive and a new password generation follow', () => {
    const state = fold([...deletedSchool(), restoreRequested(), slugAgain])!;
    expect(state.status).toBe('restoring');
    expect(state.undo).toEqual({});
    expect(state.steps.reserve_slug.status).toBe('succeeded');
    expect(state.steps.create_database.status).toBe('pending');
    expect(state.steps.send_welcome_email.status).toBe('skipped');
    expect(state.restore).toEqual({
      requestedAt: RESTORE_AT,
      notify: false,
      archive: { ...archive, archivedAt: DROPPED_AT },
    });
    expect(react(state, RESTORE_AT)).toEqual({ type: 'run', action: 'create_database', attempt: 1 });
    expect(fold([restoredDatabase, migrated(1)], state)!.credentials).toEqual({ keyId: 'k2', generation: 1 });
  });

  it('a rollback drop (no archive) keeps the teardown archive for the next attempt; the failure is kept', () => {
    const failedStep = 'create_database' as const;
    const state = fold([
      ...deletedSchool(),
      restoreRequested(),
      slugAgain,
      { type: 'ProvisioningStepFailed', data: { ...run, step: failedStep, error: 'damaged' } },
      { type: 'RollbackStarted', data: { failedStep, reason: 'damaged' } },
      { type: 'DatabaseDropped', data: { ...run, databaseName, existed: false, terminatedConnections: 0 } },
      { type: 'SlugReleased', data: { ...run, slug: 'greenwood' } },
      { type: 'SchoolRestoreFailed', data: { failedStep, reason: 'damaged', finishedAt: LATER } },
    ])!;
    expect(state.status).toBe('deleted');
    expect(state.restore).toBeUndefined();
    expect(state.restoreFailure).toEqual({ step: failedStep, reason: 'damaged', failedAt: LATER });
    expect(state.archive).toEqual({ ...archive, archivedAt: DROPPED_AT });
    expect(react(state, LATER)).toEqual({ type: 'ignore', reason: 'school is deleted' });
    expect(UNDO_ORDER).toContain('drop_database');
  });

  it('SchoolRestored makes the school active again', () => {
    const state = fold([
      ...restoredUpTo(),
      ev.registered(),
      { type: 'SchoolRestored', data: { restoredAt: LATER, durationMs: 5 } },
    ])!;
    expect(state.status).toBe('active');
    expect(state.restore).toBeUndefined();
    expect(react(state, LATER).type).toBe('ignore');
  });
});

describe('views of a restore', () => {
  const restored: SchoolEvent = { type: 'SchoolRestored', data: { restoredAt: LATER, durationMs: 5 } };
  const meta = (e: SchoolEvent, i: number) => ({ ...e, metadata: { now: NOW }, revision: i });

  it('the read model shows restoring, then active with the restore finished', () => {
    const during = foldView([...deletedSchool(), restoreRequested(), slugAgain].map(meta))!;
    expect(during.status).toBe('restoring');
    expect(during.restore).toEqual({
      status: 'restoring',
      requestedAt: RESTORE_AT,
      archivedAt: DROPPED_AT,
      finishedAt: null,
    });
    expect(during.compensations).toEqual([]);
    expect(during.steps.find((s) => s.name === 'send_welcome_email')!.status).toBe('skipped');
    const after = foldView([...restoredUpTo(), ev.registered(), restored].map(meta))!;
    expect(after.status).toBe('active');
    expect(after.restore).toMatchObject({ status: 'restored', finishedAt: LATER });
  });

  it('the read model and the fleet report show a failed restore as deleted, with why', () => {
    const failed: SchoolEvent = {
      type: 'SchoolRestoreFailed',
      data: { failedStep: 'create_database', reason: 'damaged', finishedAt: LATER },
    };
    const view = foldView([...deletedSchool(), restoreRequested(), slugAgain, failed].map(meta))!;
    expect(view.status).toBe('deleted');
    expect(view.restore).toMatchObject({ status: 'failed', failedStep: 'create_database', reason: 'damaged' });
    let row: FleetRow | undefined;
    const statuses: string[] = [];
    for (const [i, e] of [...deletedSchool(), restoreRequested(), failed].entries()) {
      row = evolveFleet(row, { ...e, metadata: { now: NOW }, revision: i } as never);
      statuses.push(row!.status);
    }
    expect(statuses.slice(-3)).toEqual(['deleted', 'restoring', 'deleted']);
  });

  it('integration events: school.restored with when it was archived, school.restore_failed with why', () => {
    const history = [...restoredUpTo(), ev.registered(), restored];
    const after = fold(history)!;
    const event = toIntegrationEvent({ ...restored, id: 'e1', metadata: { now: LATER } }, after, '/scs');
    expect(event).toMatchObject({
      type: 'school.restored',
      data: { id: SCHOOL_ID, status: 'active', restoredAt: LATER, archivedAt: DROPPED_AT },
    });
    const failed: SchoolEvent = {
      type: 'SchoolRestoreFailed',
      data: { failedStep: 'create_dns', reason: 'name taken', finishedAt: LATER },
    };
    const deleted = fold([...deletedSchool(), restoreRequested(), slugAgain, failed])!;
    expect(toIntegrationEvent({ ...failed, id: 'e2', metadata: { now: LATER } }, deleted, '/scs')).toMatchObject({
      type: 'school.restore_failed',
      data: { status: 'deleted', failedStep: 'create_dns', reason: 'name taken' },
    });
  });
});
