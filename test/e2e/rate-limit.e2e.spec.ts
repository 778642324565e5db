import { freshDatabase } from '../support/databases.js';
import { schoolBody, startScs, type ScsProcess } from '../support/scs-process.js';

describe('rate limits: per client, and POSTs per API key', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;

  beforeAll(async () => {
    central = await freshDatabase('scs_rate');
  });
  afterEach(async () => {
    await scs?.stop();
    scs = undefined;
  });
  afterAll(async () => {
    await central?.drop();
  });

  it('answers 429 problem+json with Retry-After once a client passes its limit, wrong keys included; health is exempt', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_RATE_LIMIT_PER_MINUTE: '5' } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await scs.request('/schools', { key: 'wrong-key-wrong-key' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const limited = await scs.request('/schools');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.detail).toMatch(/at most 5 a minute/);
    expect((await scs.request('/health', { key: null })).status).toBe(200);
  });

  it('limits the POSTs of one API key', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { SCS_POST_RATE_LIMIT_PER_MINUTE: '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await scs.request('/school', { method: 'POST', json: { ...schoolBody(), slug: 'WWW' } })).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await scs.request('/schools')).status).toBe(200); // reads are not POSTs
  });
});
