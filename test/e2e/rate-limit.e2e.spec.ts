import { freshDatabase } from '../support/databases.js';
import { schoolBody, startScs, type ScsProcess } from '../support/scs-process.js';

describe('rate limits: per client, and POSTs per API key', () => {
  // The counters live in the central database: each test gets its own, so none inherits another's.
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  const running: ScsProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const scs = await startScs({ databaseUrl: central.url, env });
    running.push(scs);
    return scs;
  };

  beforeEach(async () => {
    central = await freshDatabase('scs_rate');
  });
  afterEach(async () => {
    for (const scs of running.splice(0)) await scs.stop();
    await central?.drop();
  });

  it('answers 429 problem+json with Retry-After once a client passes its limit, wrong keys included; health is exempt', async () => {
    const scs = await start({ SCS_RATE_LIMIT_PER_MINUTE: '5' });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await scs.request('/schools', { key: 'wrong-key-wrong-key' }));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers), not the throttler's own X-RateLimit-*.
    for (const [i, answer] of answers.slice(0, 5).entries()) {
      expect(answer.headers.get('ratelimit-policy')).toBe('"client";q=5;w=60');
      expect(answer.headers.get('ratelimit')).toMatch(new RegExp(`^"client";r=${4 - i};t=([1-9]|[1-5][0-9]|60)$`));
      expect([...answer.headers.keys()].filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
    }
    const limited = await scs.request('/schools');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toBe(`"client";r=0;t=${limited.headers.get('retry-after')}`);
    expect(limited.body.detail).toMatch(/at most 5 a minute/);
    expect((await scs.request('/health', { key: null })).status).toBe(200);
  });

  it('limits the POSTs of one API key', async () => {
    const scs = await start({ SCS_POST_RATE_LIMIT_PER_MINUTE: '3' });
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await scs.request('/school', { method: 'POST', json: { ...schoolBody(), slug: 'WWW' } }));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 429]);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"client";q=600;w=60, "posts";q=3;w=60');
    expect(answers[0]!.headers.get('ratelimit')).toMatch(/^"client";r=599;t=\d+, "posts";r=2;t=\d+$/);
    expect(answers[3]!.headers.get('ratelimit')).toMatch(/"posts";r=0;t=\d+$/);
    expect(answers[3]!.body.detail).toMatch(/too many POST requests with this API key: at most 3 a minute/);
    expect((await scs.request('/schools')).status).toBe(200); // reads are not POSTs
  });

  it('holds one limit across two replicas, and across a restart', async () => {
    const env = { SCS_RATE_LIMIT_PER_MINUTE: '6', SCS_POST_RATE_LIMIT_PER_MINUTE: '3', SCS_TRUST_PROXY: 'loopback' };
    const [a, b] = [await start(env), await start(env)];
    const statuses: number[] = [];
    // Alternating between the replicas, as a load balancer would.
    for (let i = 0; i < 10; i++) statuses.push((await [a, b][i % 2].request('/schools')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);

    // The POST limit of one API key, the same way (the client limit is already spent: a new client).
    const posts: number[] = [];
    const other = { 'X-Forwarded-For': '203.0.113.7' };
    for (let i = 0; i < 4; i++) {
      const res = await [a, b][i % 2].request('/school', {
        method: 'POST',
        headers: other,
        json: { ...schoolBody(), slug: 'WWW' },
      });
      posts.push(res.status);
    }
    expect(posts).toEqual([400, 400, 400, 429]);

    await a.stop();
    const restarted = await start(env);
    const after = await restarted.request('/schools');
    expect(after.status).toBe(429);
    expect(after.body.detail).toMatch(/at most 6 a minute/);
  });
});
