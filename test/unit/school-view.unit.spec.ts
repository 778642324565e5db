import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold, type FoldableEvent } from '../../src/domain/school/evolve.js';
import { STEPS } from '../../src/domain/school/steps.js';
import { evolveView, foldView } from '../../src/school/view/evolve-view.js';
import { presentSchool, type SchoolView } from '../../src/school/view/school-view.js';
import { ev, historyBefore, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

/** given(events).when(event).then(view): the read model's evolve, one event at a time. */
function given(...history: SchoolEvent[]) {
  return {
    when(event: FoldableEvent) {
      const view = evolveView(foldView(history), event);
      return {
        then(check: (view: SchoolView) => void) {
          expect(view).toBeDefined();
          check(view!);
        },
      };
    },
  };
}

const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };
const step = (view: SchoolView, name: string) => view.steps.find((s) => s.name === name);
const retry = (name: string, attempt = 2): SchoolEvent => ({
  type: 'StepAttemptFailed',
  data: { step: name as never, attempt, error: 'timeout', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
});
const rollbackAt = (name: string): SchoolEvent[] => [
  { type: 'ProvisioningStepFailed', data: { ...run, step: name as never, error: 'boom' } },
  { type: 'RollbackStarted', data: { failedStep: name as never, reason: 'boom' } },
];
const dropped: SchoolEvent = {
  type: 'DatabaseDropped',
  data: { ...run, databaseName: 'x', existed: true, terminatedConnections: 0 },
};
const released: SchoolEvent = { type: 'SlugReleased', data: { ...run, slug: 'greenwood' } };
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };

describe('evolveView: the school read model', () => {
  it('never changes a view it is given: each event makes a new one (every view below is frozen)', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
      }
      return value;
    };
    const events: SchoolEvent[] = [
      ...provisionedSchool(),
      { type: 'OrphanRemoved', data: { resource: 'dns', name: 'x', detail: 'test', removedAt: NOW } },
      { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } },
    ];
    let view: SchoolView | undefined;
    const seen: SchoolView[] = [];
    for (const [revision, event] of events.entries()) {
      const before = JSON.stringify(view);
      const next = evolveView(view && deepFreeze(view), { ...event, revision } as FoldableEvent);
      expect(JSON.stringify(view)).toBe(before);
      expect(next).not.toBe(view);
      expect(next!.revision).toBe(revision);
      seen.push(next!);
      view = next;
    }
    expect(view!.status).toBe('deprovisioning');
    expect(new Set(seen).size).toBe(events.length);
  });

  it('starts at the request with every step pending, in step order', () => {
    const view = evolveView(undefined, { ...ev.requested(), revision: 0 })!;
    expect(view).toMatchObject({
      id: SCHOOL_ID,
      slug: 'greenwood',
      status: 'provisioning',
      createdAt: NOW,
      updatedAt: NOW,
      revision: 0,
    });
    expect(view.steps.map((s) => [s.name, s.status])).toEqual(STEPS.map((s) => [s, 'pending']));
    expect(view.compensations).toEqual([]);
  });

  it('ignores events of a school it has not seen requested', () => {
    expect(evolveView(undefined, ev.slug())).toBeUndefined();
  });

  it('marks a step succeeded, with its revision and the time it was decided', () => {
    given(ev.requested())
      .when({ ...ev.slug(), revision: 1, metadata: { now: LATER } })
      .then((view) => {
        expect(step(view, 'reserve_slug')).toEqual({
          name: 'reserve_slug',
          status: 'succeeded',
          attempts: 1,
          startedAt: NOW,
          finishedAt: NOW,
          error: null,
        });
        expect(view).toMatchObject({ revision: 1, updatedAt: LATER });
      });
  });

  it('shows the DNS record and the certificate once created', () => {
    given(ev.requested(), ev.slug(), ev.database(), ev.migrations())
      .when(ev.dns())
      .then((view) => {
        expect(view.dns).toEqual({ name: 'greenwood.syncad.in', type: 'A', provider: 'local' });
      });
    given(...historyBefore('issue_certificate'))
      .when(ev.certificate())
      .then((view) => {
        expect(view.certificate).toEqual({
          provider: 'local',
          serialNumber: 'ab12',
          notBefore: NOW,
          notAfter: '2027-02-22T10:00:00.000Z',
          issuer: 'CN=SCS Local CA',
        });
      });
  });

  it('shows a retry while it waits, and drops its time once the step succeeds', () => {
    given(ev.requested(), ev.slug())
      .when(retry('create_database'))
      .then((view) => {
        expect(step(view, 'create_database')).toMatchObject({
          status: 'retrying',
          attempts: 2,
          error: 'timeout',
          retryAt: LATER,
        });
      });
    given(ev.requested(), ev.slug(), retry('create_database'))
      .when(ev.database())
      .then((view) => {
        expect(step(view, 'create_database')).not.toHaveProperty('retryAt');
      });
  });

  it('lists a compensation waiting for its retry among the compensations', () => {
    given(...provisionedSchool(), teardown)
      .when(retry('unregister_school', 1))
      .then((view) => {
        expect(view.compensations).toEqual([
          {
            name: 'unregister_school',
            status: 'retrying',
            attempts: 1,
            startedAt: NOW,
            finishedAt: NOW,
            error: 'timeout',
            retryAt: LATER,
          },
        ]);
      });
  });

  it('keeps the school active with a warning when the welcome email fails', () => {
    const failed: SchoolEvent = {
      type: 'NonCriticalStepFailed',
      data: { ...run, step: 'send_welcome_email', error: 'mailbox full' },
    };
    given(...historyBefore('send_welcome_email'))
      .when(failed)
      .then((view) => {
        expect(step(view, 'send_welcome_email')).toMatchObject({ status: 'warning', error: 'mailbox full' });
        expect(view.warnings).toEqual(['welcome email not sent: mailbox full']);
      });
  });

  it('reads a stored WelcomeEmailFailed (written before NonCriticalStepFailed) as that step warning', () => {
    const legacy: FoldableEvent = { type: 'WelcomeEmailFailed', data: { ...run, error: 'mailbox full' } };
    const current: SchoolEvent = {
      type: 'NonCriticalStepFailed',
      data: { ...run, step: 'send_welcome_email', error: 'mailbox full' },
    };
    const history = historyBefore('send_welcome_email');
    expect(evolveView(foldView(history), legacy)).toEqual(evolveView(foldView(history), current));
  });

  it('names the failed step and the reason of a rollback', () => {
    const [failed, started] = rollbackAt('run_migrations');
    given(ev.requested(), ev.slug(), ev.database())
      .when(failed)
      .then((view) => {
        expect(step(view, 'run_migrations')).toMatchObject({ status: 'failed', error: 'boom' });
        expect(view).toMatchObject({ failedStep: 'run_migrations', failureReason: 'boom', status: 'provisioning' });
      });
    given(ev.requested(), ev.slug(), ev.database(), failed)
      .when(started)
      .then((view) => {
        expect(view.status).toBe('rolling_back');
      });
  });

  it('undoes the database and its migrations when the database is dropped, but keeps a failed step failed', () => {
    given(ev.requested(), ev.slug(), ev.database(), ev.migrations(), ...rollbackAt('create_dns'))
      .when(dropped)
      .then((view) => {
        expect(step(view, 'create_database')!.status).toBe('undone');
        expect(step(view, 'run_migrations')!.status).toBe('undone');
        expect(view.compensations.map((c) => [c.name, c.status])).toEqual([['drop_database', 'succeeded']]);
      });
    given(ev.requested(), ev.slug(), ...rollbackAt('create_database'))
      .when(dropped)
      .then((view) => {
        expect(step(view, 'create_database')!.status).toBe('failed');
      });
  });

  it('shows no retry time on a step undone while it waited for its retry', () => {
    given(ev.requested(), ev.slug(), retry('create_database'), teardown)
      .when(dropped)
      .then((view) => {
        expect(step(view, 'create_database')).toMatchObject({ status: 'undone', attempts: 2 });
        expect(step(view, 'create_database')).not.toHaveProperty('retryAt');
      });
  });

  it('removes the DNS record and the certificate when they are undone', () => {
    const deleted: SchoolEvent = {
      type: 'DnsRecordDeleted',
      data: { ...run, provider: 'local', name: 'x', recordType: 'A', existed: true, reference: 'r' },
    };
    const revoked: SchoolEvent = { type: 'CertificateRevoked', data: { ...run, provider: 'local', revoked: true } };
    given(...provisionedSchool(), teardown)
      .when(deleted)
      .then((view) => expect(view.dns).toBeUndefined());
    given(...provisionedSchool(), teardown)
      .when(revoked)
      .then((view) => {
        expect(view.certificate).toBeUndefined();
        expect(step(view, 'issue_certificate')!.status).toBe('undone');
      });
  });

  it('skips the steps never run when a rollback or a teardown ends', () => {
    const rolledBack: SchoolEvent = {
      type: 'SchoolRolledBack',
      data: { failedStep: 'create_database', reason: 'boom', finishedAt: LATER },
    };
    given(ev.requested(), ev.slug(), ...rollbackAt('create_database'), dropped, released)
      .when(rolledBack)
      .then((view) => {
        expect(view.status).toBe('failed');
        expect(view.steps.filter((s) => s.status === 'skipped').map((s) => s.name)).toEqual(STEPS.slice(2));
      });
    given(ev.requested(), ev.slug(), teardown, dropped, released)
      .when({ type: 'SchoolDeleted', data: { deletedAt: LATER } })
      .then((view) => expect(view.status).toBe('deleted'));
  });

  it('shows a failed renewal under the certificate, and clears it when the renewal succeeds', () => {
    const failed: SchoolEvent = {
      type: 'CertificateRenewalFailed',
      data: { ...run, serialNumber: 'ab12', error: 'rate limited', retryAt: LATER },
    };
    given(...provisionedSchool())
      .when(failed)
      .then((view) => {
        expect(view.certificate!.renewal).toEqual({ attempts: 1, error: 'rate limited', retryAt: LATER });
      });
    const renewed = ev.renewed();
    given(...provisionedSchool(), failed)
      .when(renewed)
      .then((view) => {
        expect(view.certificate).toEqual({
          provider: 'local',
          serialNumber: 'cd34',
          notBefore: LATER,
          notAfter: '2027-03-01T10:00:00.000Z',
          issuer: 'CN=SCS Local CA',
          renewedAt: LATER,
          // Still the one delivered before: behind until the renewer delivers the renewed one.
          delivered: { delivery: 'none', serialNumber: 'ab12', deliveredAt: NOW },
        });
      });
  });

  it('shows where the certificate was delivered, the renewed one once delivered, and none after withdrawal', () => {
    const delivered = (serialNumber: string, renewal?: boolean): SchoolEvent => ({
      type: 'CertificateDelivered',
      data: {
        ...run,
        finishedAt: LATER,
        delivery: 'files',
        domain: 'greenwood.syncad.in',
        serialNumber,
        location: '/srv/tls/greenwood.syncad.in',
        changed: true,
        ...(renewal ? { renewal } : {}),
      },
    });
    const steps = provisionedSchool().filter((e) => e.type !== 'CertificateDelivered');
    const atStep = steps.findIndex((e) => e.type === 'CertificateIssued') + 1;
    const history = [...steps.slice(0, atStep), delivered('ab12'), ...steps.slice(atStep)];
    const view = foldView(history)!;
    expect(view.certificate!.delivered).toEqual({
      delivery: 'files',
      serialNumber: 'ab12',
      location: '/srv/tls/greenwood.syncad.in',
      deliveredAt: LATER,
    });
    expect(view.steps.find((s) => s.name === 'deliver_certificate')).toMatchObject({ status: 'succeeded' });
    // The step keeps its provisioning run when the renewer delivers a renewed certificate.
    const again = evolveView(view, { ...delivered('cd34', true), revision: 20 })!;
    expect(again.certificate!.delivered!.serialNumber).toBe('cd34');
    expect(again.steps.find((s) => s.name === 'deliver_certificate')).toEqual(
      view.steps.find((s) => s.name === 'deliver_certificate'),
    );
    const withdrawn: SchoolEvent = {
      type: 'CertificateWithdrawn',
      data: { ...run, delivery: 'files', domain: 'greenwood.syncad.in', existed: true, owned: true },
    };
    const after = evolveView({ ...view, status: 'deprovisioning' }, withdrawn)!;
    expect(after.certificate!.delivered).toBeUndefined();
    expect(after.certificate!.serialNumber).toBe('ab12');
    expect(after.steps.find((s) => s.name === 'deliver_certificate')!.status).toBe('undone');
    expect(after.compensations.map((c) => c.name)).toEqual(['withdraw_certificate']);
  });

  it('changes nothing but the revision for an orphan removed', () => {
    const before = foldView(provisionedSchool())!;
    const orphan: SchoolEvent = {
      type: 'OrphanRemoved',
      data: { resource: 'dns', name: 'x', detail: 'd', removedAt: LATER },
    };
    given(...provisionedSchool())
      .when(orphan)
      .then((view) => expect(view).toEqual({ ...before, revision: before.revision + 1 }));
  });

  it('shows changed details, and nothing of the registry catching up with them or of its retries', () => {
    const changed: SchoolEvent = {
      type: 'SchoolDetailsChanged',
      data: { changes: { name: 'Greenwood High School', board: 'ICSE' }, previous: {}, changedAt: LATER },
    };
    const before = foldView(provisionedSchool())!;
    given(...provisionedSchool())
      .when({ ...changed, metadata: { now: LATER } })
      .then((view) =>
        expect(view).toEqual({
          ...before,
          name: 'Greenwood High School',
          board: 'ICSE',
          updatedAt: LATER,
          revision: before.revision + 1,
        }),
      );
    const after = foldView([...provisionedSchool(), changed])!;
    const updated: SchoolEvent = {
      type: 'SchoolRegistryUpdated',
      data: {
        ...run,
        name: 'Greenwood High School',
        district: 'Pune',
        board: 'ICSE',
        adminEmail: 'a@b.in',
        existed: true,
      },
    };
    for (const event of [retry('update_registry', 1), updated]) {
      given(...provisionedSchool(), changed)
        .when(event)
        .then((view) => expect(view).toEqual({ ...after, revision: after.revision + 1 }));
    }
  });

  it('shows a suspension while suspending, suspended and resuming, its failed attempts under it', () => {
    const asked: SchoolEvent = {
      type: 'SchoolSuspensionRequested',
      data: { reason: 'contract lapsed', requestedAt: LATER, statusBefore: 'active' },
    };
    const dns = {
      provider: 'local',
      name: 'greenwood.syncad.in',
      recordType: 'A',
      value: '203.0.113.9',
      reference: 'r',
    };
    const suspended: SchoolEvent = {
      type: 'SchoolSuspended',
      data: { ...run, finishedAt: LATER, reason: 'contract lapsed', terminatedSessions: 1, dns },
    };
    given(...provisionedSchool())
      .when(asked)
      .then((view) => {
        expect(view.status).toBe('suspending');
        expect(view.suspension).toEqual({ reason: 'contract lapsed', requestedAt: LATER, suspendedAt: null });
      });
    given(...provisionedSchool(), asked)
      .when(retry('suspend_school', 1))
      .then((view) =>
        expect(view.suspension?.retry).toEqual({
          action: 'suspend_school',
          attempts: 1,
          error: 'timeout',
          retryAt: LATER,
        }),
      );
    given(...provisionedSchool(), asked, retry('suspend_school', 1))
      .when(suspended)
      .then((view) => {
        expect(view.status).toBe('suspended');
        expect(view.suspension).toEqual({ reason: 'contract lapsed', requestedAt: LATER, suspendedAt: LATER });
      });
    const resuming: SchoolEvent = {
      type: 'SchoolResumeRequested',
      data: { requestedAt: LATER, statusBefore: 'suspended' },
    };
    const resumed: SchoolEvent = { type: 'SchoolResumed', data: { ...run, dns: { ...dns, value: '127.0.0.1' } } };
    given(...provisionedSchool(), asked, suspended)
      .when(resuming)
      .then((view) => expect(view).toMatchObject({ status: 'resuming', suspension: { suspendedAt: LATER } }));
    given(...provisionedSchool(), asked, suspended, resuming)
      .when(resumed)
      .then((view) => {
        expect(view.status).toBe('active');
        expect(view.suspension).toBeUndefined();
      });
  });

  it('agrees with the domain on the status of the school and of every step', () => {
    const scenarios: SchoolEvent[][] = [
      provisionedSchool(),
      [
        ev.requested(),
        ev.slug(),
        retry('create_database'),
        teardown,
        dropped,
        released,
        { type: 'SchoolDeleted', data: { deletedAt: LATER } },
      ],
      [ev.requested(), ev.slug(), ev.database(), ev.migrations(), ...rollbackAt('create_dns'), dropped, released],
      [...provisionedSchool(), teardown, retry('unregister_school', 1)],
    ];
    for (const events of scenarios) {
      const state = fold(events)!;
      const view = foldView(events)!;
      expect(view.status).toBe(state.status);
      expect(view.steps.map((s) => s.status)).toEqual(STEPS.map((name) => state.steps[name].status));
      expect(view.compensations.map((c) => [c.name, c.status]).sort()).toEqual(
        Object.entries(state.undo)
          .map(([name, s]) => [name, s!.status])
          .sort(),
      );
    }
  });
});

/** The view as a jsonb column gives it back: every object's keys by length, then bytes. */
const asJsonb = (view: SchoolView): SchoolView =>
  JSON.parse(
    JSON.stringify(view, (_key, value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.length - b.length || a.localeCompare(b)))
        : value,
    ),
  );

describe('presentSchool', () => {
  it('answers the same bytes (so the same ETag) for a view read back from jsonb, whatever it shows', () => {
    const upgradeFailed: SchoolEvent = {
      type: 'SchoolSchemaUpgradeFailed',
      data: {
        ...run,
        databaseName: 'x',
        migration: '0005_fees',
        error: 'lock timeout',
        permanent: false,
        version: '0004',
        retryAt: LATER,
      },
    };
    const renewalFailed: SchoolEvent = {
      type: 'CertificateRenewalFailed',
      data: { ...run, serialNumber: 'ab12', error: 'rate limited', retryAt: LATER },
    };
    const rolledBack = [ev.requested(), ev.slug(), ...rollbackAt('create_database'), released];
    const suspending: SchoolEvent[] = [
      { type: 'SchoolSuspensionRequested', data: { reason: 'lapsed', requestedAt: LATER, statusBefore: 'active' } },
      retry('suspend_school', 3),
    ];
    for (const events of [
      [...provisionedSchool(), upgradeFailed, renewalFailed],
      rolledBack,
      [...provisionedSchool(), ...suspending],
    ]) {
      const view = foldView(events)!;
      expect(JSON.stringify(presentSchool(asJsonb(view)))).toBe(JSON.stringify(presentSchool(view)));
    }
  });

  it('answers with the API key order whatever order the stored document has (jsonb reorders keys)', () => {
    const view = foldView([...provisionedSchool().slice(0, 3), retry('run_migrations')])!;
    const reordered = asJsonb(view);
    const presented = presentSchool(reordered);
    expect(JSON.stringify(presented)).toBe(JSON.stringify(presentSchool(view)));
    expect(Object.keys(presented)).toEqual([
      'id',
      'name',
      'slug',
      'databaseName',
      'subdomain',
      'status',
      'createdAt',
      'updatedAt',
      'district',
      'board',
      'adminEmail',
      'phone',
      'steps',
      'compensations',
      'warnings',
      'schemaVersion',
      'server',
      'revision',
    ]);
    expect(Object.keys(presented.steps[2])).toEqual([
      'name',
      'status',
      'attempts',
      'startedAt',
      'finishedAt',
      'error',
      'retryAt',
    ]);
  });
});

describe('evolveView: the tenant server a school is on', () => {
  const created = (server?: string): SchoolEvent => ({
    type: 'DatabaseCreated',
    data: {
      ...run,
      databaseName: 'x',
      method: 'template',
      alreadyExisted: false,
      durationMs: 1,
      ...(server ? { server } : {}),
    },
  });
  const moveData = { from: 'two', to: 'three', startedAt: NOW };

  it('is null before create_database, then the server DatabaseCreated names (central for older events)', () => {
    given(ev.requested(), ev.slug())
      .when(ev.migrations())
      .then((view) => expect(view.server).toBeNull());
    given(ev.requested(), ev.slug())
      .when(created('two'))
      .then((view) => expect(view.server).toBe('two'));
    given(ev.requested(), ev.slug())
      .when(created())
      .then((view) => expect(view.server).toBe('central'));
  });

  it('changes when a move is recorded, not when it starts or fails', () => {
    const started: SchoolEvent = { type: 'SchoolMoveStarted', data: moveData };
    const failed: SchoolEvent = { type: 'SchoolMoveFailed', data: { ...moveData, error: 'boom', finishedAt: LATER } };
    const moved: SchoolEvent = {
      type: 'SchoolMoved',
      data: { ...moveData, tables: 1, rows: 1, downtimeMs: 5, finishedAt: LATER },
    };
    given(ev.requested(), ev.slug(), created('two'))
      .when(started)
      .then((view) => expect(view.server).toBe('two'));
    const moving = [ev.requested(), ev.slug(), created('two'), started];
    given(...moving)
      .when(failed)
      .then((view) => expect(view.server).toBe('two'));
    given(...moving)
      .when(moved)
      .then((view) => expect(view.server).toBe('three'));
  });
});
