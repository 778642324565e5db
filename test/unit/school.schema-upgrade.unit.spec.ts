import { fold } from '../../src/domain/school/evolve.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { foldView } from '../../src/school/view/evolve-view.js';
import { presentSchool } from '../../src/school/view/school-view.js';
import { ev, given, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

const db = 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f';
const timing = { startedAt: NOW, finishedAt: LATER, now: LATER };
const upgrade = (to: string, migrations: string[]) => ({
  type: 'RecordSchemaUpgrade' as const,
  data: { databaseName: db, to, migrations, durationMs: 12, attempt: 1, ...timing },
});
const failure = (version: string, applied: string[], attempt = 1) => ({
  type: 'RecordSchemaUpgradeFailure' as const,
  data: {
    databaseName: db,
    migration: '0005_nickname.sql',
    error: 'lock timeout',
    attempt,
    permanent: false,
    version,
    applied,
    ...timing,
  },
});
const upgraded: SchoolEvent = {
  type: 'SchoolSchemaUpgraded',
  data: {
    databaseName: db,
    from: '0003',
    to: '0005',
    migrations: ['0004_a', '0005_b'],
    durationMs: 12,
    attempt: 1,
    startedAt: NOW,
    finishedAt: LATER,
  },
};

describe('school schema upgrades (decide)', () => {
  it('records an upgrade of a live school from the version its events say', () => {
    given(...provisionedSchool())
      .when(upgrade('0005', ['0004_a', '0005_b']))
      .then([upgraded]);
  });

  it('records an upgrade once: a resumed rollout reporting it again changes nothing', () => {
    given(...provisionedSchool(), upgraded)
      .when(upgrade('0005', ['0004_a', '0005_b']))
      .then([]);
  });

  it("records once the move of a school made before Drizzle to Drizzle's table, even at the same version", () => {
    const adopt = { ...upgrade('0003', []), data: { ...upgrade('0003', []).data, recordedIn: 'drizzle' as const } };
    const adopted = ['0000_a', '0001_b', '0002_c'];
    const moved: SchoolEvent = {
      type: 'SchoolSchemaUpgraded',
      data: { ...upgraded.data, from: '0003', to: '0003', migrations: [], recordedIn: 'drizzle', adopted },
    };
    given(...provisionedSchool())
      .when({ ...adopt, data: { ...adopt.data, adopted } })
      .then([moved]);
    expect(fold([...provisionedSchool(), moved])).toMatchObject({ schemaVersion: '0003', schemaRecordedIn: 'drizzle' });
    given(...provisionedSchool(), moved)
      .when(adopt)
      .then([]);
    // A school SCS made on Drizzle's table has nothing to move.
    const onDrizzle = provisionedSchool().map((e) =>
      e.type === 'MigrationsApplied' ? { ...e, data: { ...e.data, recordedIn: 'drizzle' as const } } : e,
    );
    given(...onDrizzle)
      .when(adopt)
      .then([]);
  });

  it('ignores schools that are not live', () => {
    given(ev.requested(), ev.slug(), ev.database(), ev.migrations()).when(upgrade('0005', [])).then([]);
  });

  it('records a failure; migrations that committed before it are recorded as an upgrade first', () => {
    given(...provisionedSchool())
      .when(failure('0003', []))
      .thenTypes(['SchoolSchemaUpgradeFailed']);
    given(...provisionedSchool())
      .when(failure('0004', ['0004_a']))
      .then((events) => {
        expect(events.map((e) => e.type)).toEqual(['SchoolSchemaUpgraded', 'SchoolSchemaUpgradeFailed']);
        expect(events[0].data).toMatchObject({ from: '0003', to: '0004', migrations: ['0004_a'] });
      });
  });
});

describe('school schema upgrades (evolve and view)', () => {
  it('the version comes from MigrationsApplied, then from upgrades; a failure is shown until one succeeds', () => {
    const live = fold(provisionedSchool())!;
    const view = (events: SchoolEvent[]) => presentSchool(foldView(events)!);
    expect(live.schemaVersion).toBe('0003');
    expect(view(provisionedSchool()).schemaVersion).toBe('0003');
    const failedEvent: SchoolEvent = {
      type: 'SchoolSchemaUpgradeFailed',
      data: {
        databaseName: db,
        migration: '0005_b.sql',
        error: 'boom',
        attempt: 2,
        permanent: false,
        version: '0003',
        startedAt: NOW,
        finishedAt: LATER,
      },
    };
    const failed = fold([failedEvent], live)!;
    expect(failed.schemaUpgradeFailure).toMatchObject({ migration: '0005_b.sql', attempts: 2 });
    expect(view([...provisionedSchool(), failedEvent])).toMatchObject({
      schemaVersion: '0003',
      schemaUpgrade: { status: 'failed', migration: '0005_b.sql', error: 'boom', attempts: 2 },
    });
    expect(fold([upgraded], failed)!).toMatchObject({ schemaVersion: '0005', schemaUpgradeFailure: undefined });
    const after = view([...provisionedSchool(), failedEvent, upgraded]);
    expect(after.schemaVersion).toBe('0005');
    expect(after.schemaUpgrade).toBeUndefined();
  });
});
