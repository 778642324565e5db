import { RequestSchoolHandler } from '../../src/school/request-school/request-school.handler.js';
import { RetrySchoolCommand, SchoolNotFailedError } from '../../src/school/retry-school/retry-school.command.js';
import { RetrySchoolHandler } from '../../src/school/retry-school/retry-school.handler.js';
import { schoolStreamId, type SchoolEvent } from '../../src/domain/school/events.js';
import { FakeClock, InMemoryEventStore } from '../support/in-memory.js';
import { details, ev, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };
const rolledBack: SchoolEvent[] = [
  ev.requested(),
  ev.slug(),
  { type: 'ProvisioningStepFailed', data: { ...run, step: 'create_database', error: 'disk full' } },
  { type: 'RollbackStarted', data: { failedStep: 'create_database', reason: 'disk full' } },
  { type: 'SlugReleased', data: { ...run, slug: details.slug } },
  { type: 'SchoolRolledBack', data: { failedStep: 'create_database', reason: 'disk full', finishedAt: LATER } },
];

async function given(events: SchoolEvent[]) {
  const store = new InMemoryEventStore();
  const metadata = { actor: 'key-1', correlationId: 'first', now: NOW };
  const recorded = events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata }));
  if (recorded.length > 0) await store.append(schoolStreamId(SCHOOL_ID), recorded, 'no_stream');
  const requestSchool = new RequestSchoolHandler(store, new FakeClock(LATER), {
    baseDomain: 'syncad.in',
    reservedSlugs: [],
    archiveRetentionDays: 30,
  });
  return { store, handler: new RetrySchoolHandler(store, requestSchool) };
}

describe('RetrySchoolHandler: a failed school requested again as a new school', () => {
  it("requests the failed school's details as a new school, with retryOf in the answer and the events", async () => {
    const { store, handler } = await given(rolledBack);
    const retried = await handler.execute(new RetrySchoolCommand(SCHOOL_ID, 'key-2', 'again'));
    expect(retried).toMatchObject({ retryOf: SCHOOL_ID, slug: details.slug, name: details.name });
    expect(retried.status).toBe('provisioning');
    expect(retried.id).not.toBe(SCHOOL_ID);
    const [requested] = await store.readStream(schoolStreamId(retried.id));
    expect(requested.type).toBe('SchoolRequested');
    const { schoolId: _id, databaseName: _db, subdomain: _sub, requestedAt: _at, ...asked } = requested.data;
    expect(asked).toEqual(details);
    expect(requested.metadata).toMatchObject({ actor: 'key-2', correlationId: 'again', retryOf: SCHOOL_ID });
  });

  it.each([
    ['active', provisionedSchool()],
    ['provisioning', [ev.requested(), ev.slug()]],
    ['rolling_back', rolledBack.slice(0, 4)],
  ])('refuses a school that is %s, naming its status, and records nothing', async (status, events) => {
    const { store, handler } = await given(events);
    const before = store.events.length;
    const attempt = handler.execute(new RetrySchoolCommand(SCHOOL_ID, 'key-2', 'again'));
    await expect(attempt).rejects.toThrow(SchoolNotFailedError);
    await expect(attempt).rejects.toMatchObject({ status, message: expect.stringContaining(`is ${status};`) });
    expect(store.events).toHaveLength(before);
  });

  it('refuses an unknown school as not found', async () => {
    const { handler } = await given([]);
    await expect(handler.execute(new RetrySchoolCommand(SCHOOL_ID, 'key-2', 'again'))).rejects.toMatchObject({
      code: 'school_not_found',
    });
  });
});
