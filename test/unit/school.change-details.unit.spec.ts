import type { SchoolCommand } from '../../src/domain/school/commands.js';
import { decide } from '../../src/domain/school/decide.js';
import { validateDetailChanges } from '../../src/domain/school/details.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { registryBehind } from '../../src/domain/school/plan.js';
import { react } from '../../src/domain/school/react.js';
import { details, ev, given, LATER, NOW, provisionedSchool } from '../support/school-spec.js';

const change = (changes: Record<string, string>, expectedRevision?: number): SchoolCommand => ({
  type: 'ChangeDetails',
  data: { changes, expectedRevision, now: LATER },
});
const changed = (changes: Record<string, string>, previous: Record<string, string>): SchoolEvent => ({
  type: 'SchoolDetailsChanged',
  data: { changes, previous, changedAt: LATER },
});
const registryUpdated = (written: Partial<typeof details> = {}): SchoolEvent => {
  const { name, district, board, adminEmail } = { ...details, ...written };
  const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
  return { type: 'SchoolRegistryUpdated', data: { ...run, name, district, board, adminEmail, existed: true } };
};
const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };
const lastRevision = provisionedSchool().length - 1;

describe('validateDetailChanges: a merge patch of the details, by the rules of creation', () => {
  it('takes any of the changeable fields, the email domain lowercased as at creation', () => {
    expect(validateDetailChanges({ name: 'Greenwood High School', adminEmail: 'Office@Greenwood.EXAMPLE' })).toEqual({
      name: 'Greenwood High School',
      adminEmail: 'Office@greenwood.example',
    });
    expect(validateDetailChanges({})).toEqual({});
  });

  it('names every field at fault: a broken rule, the slug, an unknown field, a removal (null)', () => {
    const errors = validateDetailChanges({
      phone: '12345',
      district: ' Pune',
      slug: 'other',
      colour: 'green',
      board: null,
    });
    expect(errors).toEqual([
      { field: 'phone', message: 'must be an E.164 phone number such as +919876543210' },
      { field: 'district', message: 'must not start or end with spaces' },
      { field: 'slug', message: 'cannot be changed: it names the school in DNS' },
      { field: 'colour', message: 'is not a known field' },
      { field: 'board', message: 'is required and cannot be removed' },
    ]);
    expect(validateDetailChanges(JSON.parse('{"__proto__": {"name": "x"}}'))).toEqual([
      { field: '__proto__', message: 'is not a known field' },
    ]);
    expect(validateDetailChanges(['name'])).toEqual([{ field: '(body)', message: 'the body must be a JSON object' }]);
  });
});

describe('decide: changing the details of a school', () => {
  it('records the fields that change, with the values they replace', () => {
    given(...provisionedSchool())
      .when(change({ name: 'Greenwood High School', board: 'CBSE', phone: '+919876543211' }, lastRevision))
      .then([
        changed(
          { name: 'Greenwood High School', phone: '+919876543211' },
          { name: 'Greenwood High', phone: '+919876543210' },
        ),
      ]);
  });

  it('records nothing when nothing changes', () => {
    given(...provisionedSchool())
      .when(change({ board: 'CBSE' }, lastRevision))
      .then([]);
  });

  it('refuses a change made on another revision than the one the caller saw (a stale If-Match)', () => {
    given(...provisionedSchool())
      .when(change({ board: 'ICSE' }, lastRevision - 1))
      .thenThrows('revision_mismatch');
  });

  it('refuses a school being torn down or deleted, and an unknown one', () => {
    given(...provisionedSchool(), teardown)
      .when(change({ board: 'ICSE' }))
      .thenThrows('wrong_status');
    given(...provisionedSchool(), teardown, { type: 'SchoolDeleted', data: { deletedAt: LATER } })
      .when(change({ board: 'ICSE' }))
      .thenThrows('school_deleted');
    given()
      .when(change({ board: 'ICSE' }))
      .thenThrows('school_not_found');
  });

  it('changes the details while provisioning too: the steps after it use the new ones', () => {
    const state = fold([ev.requested(), ev.slug(), changed({ adminEmail: 'new@greenwood.example' }, {})]);
    expect(state?.details).toEqual({ ...details, adminEmail: 'new@greenwood.example' });
  });
});

describe('the registry row follows the details (update_registry)', () => {
  const renamed = changed({ name: 'Greenwood High School', phone: '+919876543211' }, {});

  it('is behind after a change of what it holds, and the process manager updates it', () => {
    const state = fold([...provisionedSchool(), renamed])!;
    expect(registryBehind(state)).toBe(true);
    expect(react(state, LATER)).toEqual({ type: 'run', action: 'update_registry', attempt: 1 });
  });

  it('is not behind after a change of the phone, which it does not hold', () => {
    const state = fold([...provisionedSchool(), changed({ phone: '+919876543211' }, {})])!;
    expect(react(state, LATER)).toEqual({ type: 'ignore', reason: 'school is active' });
  });

  it('records the update once; one that wrote details changed since leaves it behind, to run again', () => {
    const history = [...provisionedSchool(), renamed];
    const result = (event: SchoolEvent): SchoolCommand => ({
      type: 'RecordStepResult',
      data: { action: 'update_registry', event, now: LATER },
    });
    const current = registryUpdated({ name: 'Greenwood High School' });
    given(...history)
      .when(result(current))
      .then([current]);
    given(...history, current)
      .when(result(current))
      .then([]);
    const stale = registryUpdated();
    expect(react(fold([...history, stale]), LATER)).toMatchObject({ type: 'run', action: 'update_registry' });
  });

  it('retries a failed update for as long as it is wanted, and never once the school is torn down', () => {
    const failure = (attempt: number): SchoolCommand => ({
      type: 'RecordStepFailure',
      data: {
        action: 'update_registry',
        attempt,
        error: 'boom',
        permanent: true,
        maxAttempts: 3,
        retryAt: LATER,
        startedAt: NOW,
        finishedAt: NOW,
        now: NOW,
      },
    });
    given(...provisionedSchool(), renamed)
      .when(failure(7))
      .thenTypes(['StepAttemptFailed']);
    given(...provisionedSchool(), renamed, teardown)
      .when(failure(1))
      .then([]);
    const before = fold([...provisionedSchool(), renamed]);
    const retrying = fold(decide(failure(1), before), before);
    expect(react(retrying, NOW)).toEqual({ type: 'wait', until: LATER, action: 'update_registry' });
    expect(react(retrying, LATER)).toEqual({ type: 'run', action: 'update_registry', attempt: 2 });
  });

  it('holds what register_school wrote: details changed while it ran are written again', () => {
    const written = { name: 'Greenwood High', district: 'Pune', board: 'CBSE', adminEmail: details.adminEmail };
    const registered: SchoolEvent = {
      type: 'SchoolRegistered',
      data: { attempt: 1, startedAt: NOW, finishedAt: NOW, alreadyRegistered: false, details: written },
    };
    const [requested, slug, database, migrations, dns, certificate] = provisionedSchool();
    const state = fold([requested, slug, database, migrations, dns, certificate, renamed, registered, ev.emailed()]);
    expect(state?.registryDetails).toEqual(written);
    const active = fold([ev.provisioned()], state);
    expect(react(active, LATER)).toMatchObject({ type: 'run', action: 'update_registry' });
  });
});
