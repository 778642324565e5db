import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold, type FoldableEvent } from '../../src/domain/school/evolve.js';
import { foldView } from '../../src/school/view/evolve-view.js';
import { ev, given, LATER, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const read = (actor = 'school-app') => ({ type: 'RecordCredentialsRead', data: { actor, now: LATER } }) as const;
const readEvent = (
  data: Partial<Extract<SchoolEvent, { type: 'SchoolCredentialsRead' }>['data']> = {},
): SchoolEvent => ({
  type: 'SchoolCredentialsRead',
  data: { actor: 'school-app', keyId: 'k1', generation: 0, readAt: LATER, ...data },
});

describe('SchoolCredentialsRead: who was given a school’s password', () => {
  it('is recorded for an active school, naming the actor and which password (key id: null before key ids)', () => {
    given(...provisionedSchool())
      .when(read())
      .then((events) => {
        expect(events).toEqual([
          {
            type: 'SchoolCredentialsRead',
            data: { actor: 'school-app', keyId: null, generation: 0, readAt: LATER },
          },
        ]);
        expect(JSON.stringify(events)).not.toMatch(/password"/);
      });
  });

  it('names the generation of the last rotation', () => {
    const rotated: SchoolEvent = {
      type: 'SchoolCredentialsRotated',
      data: { keyId: 'k2', previousKeyId: 'k1', generation: 3, startedAt: LATER, finishedAt: LATER },
    };
    given(...provisionedSchool(), rotated)
      .when(read())
      .then([
        { type: 'SchoolCredentialsRead', data: { actor: 'school-app', keyId: 'k2', generation: 3, readAt: LATER } },
      ]);
  });

  it('is refused for a school that is not active, or deleted, or unknown', () => {
    given(ev.requested(), ev.slug()).when(read()).thenThrows('school_not_active');
    given(...provisionedSchool(), { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } })
      .when(read())
      .thenThrows('school_not_active');
    given(...provisionedSchool(), { type: 'SchoolDeleted', data: { deletedAt: LATER } })
      .when(read())
      .thenThrows('school_deleted');
    given().when(read()).thenThrows('school_not_found');
  });

  it('folds harmlessly: the state and the read model stay as they were, but for the revision', () => {
    const before = fold(provisionedSchool())!;
    const after = fold([...provisionedSchool(), readEvent()])!;
    expect({ ...after, revision: 0, updatedAt: '' }).toEqual({ ...before, revision: 0, updatedAt: '' });
    expect(after.revision).toBe(before.revision + 1);
    const view = foldView(provisionedSchool().map((e) => ({ ...e, metadata: { now: LATER } })));
    const viewAfter = foldView([...provisionedSchool(), readEvent()].map((e) => ({ ...e, metadata: { now: LATER } })));
    expect({ ...viewAfter, revision: 0 }).toEqual({ ...view, revision: 0 });
    expect(viewAfter!.revision).toBe(view!.revision + 1);
    expect(view?.id).toBe(SCHOOL_ID);
  });

  it('an event type this version does not know leaves the state as it was (never replaced by the event)', () => {
    const before = fold(provisionedSchool())!;
    const unknown = { type: 'SchoolRenamedInTheFuture', data: { name: 'x' } } as unknown as FoldableEvent;
    const after = fold([...provisionedSchool(), unknown])!;
    expect(after.status).toBe('active');
    expect(after.id).toBe(before.id);
    expect(after.details).toEqual(before.details);
  });
});
