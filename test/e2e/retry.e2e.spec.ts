import { freshDatabase } from '../support/databases.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const UNKNOWN = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('POST /school/:id/retry: a failed school requested again as a new school', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;
  let failed: Record<string, string>;
  let activeId: string;

  beforeAll(async () => {
    central = await freshDatabase('scs_retry');
    // The school fails for good at create_dns; the service is then restarted without the fault.
    const faulty = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:fail' } });
    const id = (await faulty.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    failed = await waitForStatus(faulty, id, ['failed']);
    await faulty.stop();
    scs = await startScs({ databaseUrl: central.url });
    activeId = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    await waitForStatus(scs, activeId, ['active']);
  }, 90_000);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  const retry = (id: string, init: RequestInit & { key?: string | null } = {}) =>
    scs!.request(`/school/${id}/retry`, { method: 'POST', ...init });

  it('answers 401 without a key, 404 for an unknown id, 409 naming the status of a school not failed', async () => {
    expect((await retry(failed.id, { key: null })).status).toBe(401);
    for (const id of [UNKNOWN, 'not-a-school']) {
      const res = await retry(id);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.type).toMatch(/\/school-not-found$/);
    }
    const active = await retry(activeId);
    expect(active.status).toBe(409);
    expect(active.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(active.body).toMatchObject({ status: 409, schoolStatus: 'active' });
    expect(active.body.type).toMatch(/\/school-not-failed$/);
    expect(active.body.detail).toMatch(/is active; only a failed school can be retried/);
  });

  it('requests the same details as a new school, linked by retryOf in its answer, history and audit', async () => {
    const headers = { 'Idempotency-Key': `retry-${failed.id}`, 'X-Correlation-Id': 'retry-e2e' };
    const res = await retry(failed.id, { headers });
    expect(res.status).toBe(202);
    const retried = res.body;
    expect(retried).toMatchObject({ retryOf: failed.id, slug: failed.slug, name: failed.name, status: 'provisioning' });
    expect(retried.id).not.toBe(failed.id);
    expect(res.headers.get('location')).toBe(`/school/${retried.id}`);

    // The same Idempotency-Key gets the first answer again, without a third school.
    const replay = await retry(failed.id, { headers });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(retried);

    const school = await waitForStatus(scs!, retried.id, ['active']);
    for (const field of ['name', 'slug', 'district', 'board', 'adminEmail', 'phone']) {
      expect(school[field]).toEqual(failed[field]);
    }
    const history = (await scs!.request(`/school/${retried.id}/history`)).body.events;
    expect(history[0]).toMatchObject({
      type: 'SchoolRequested',
      metadata: { retryOf: failed.id, actor: expect.any(String), correlationId: 'retry-e2e' },
    });
    const audit = (await scs!.request(`/audit/events?schoolId=${retried.id}&limit=1`)).body.events;
    expect(audit[0].metadata).toMatchObject({ retryOf: failed.id });
    // The failed school stays failed, and its slug now belongs to the new school.
    expect((await scs!.request(`/school/${failed.id}`)).body.status).toBe('failed');
    const again = await retry(failed.id);
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/\/slug-taken$/);
    const schools = (await scs!.request('/schools?status=active')).body;
    expect(schools.items.filter((s: { slug: string }) => s.slug === failed.slug)).toHaveLength(1);
  }, 60_000);
});
