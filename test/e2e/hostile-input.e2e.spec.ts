import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { freshDatabase, query } from '../support/databases.js';
import { schoolBody, startScs, waitFor, type ScsProcess } from '../support/scs-process.js';

const FIELDS = ['name', 'slug', 'district', 'board', 'adminEmail', 'phone'] as const;

/**
 * Values no field accepts: injections, control characters, invisible and direction-changing characters,
 * huge and wrong-typed values. Look-alike letters from other scripts are refused only where they could
 * impersonate (the slug, the email, the phone): in names, other scripts are legitimate.
 */
const LOOK_ALIKES: Array<[string, unknown]> = [
  ['Cyrillic look-alike', 'аdmin-school'],
  ['fullwidth', 'ＡＢＣ-school'],
];
const HOSTILE: Array<[string, unknown]> = [
  ['SQL injection', "x'); DROP TABLE scs_events; --"],
  ['SQL comment', 'abc/**/OR/**/1=1'],
  ['NoSQL operator', { $gt: '' }],
  ['script tag', '<script>alert(1)</script>'],
  ['template injection', '${process.exit(1)}'],
  ['shell', '$(rm -rf /)'],
  ['path traversal', '../../etc/passwd'],
  ['NUL byte', 'abc\u0000def'],
  ['bell', 'abc\u0007def'],
  ['CRLF header injection', 'abc\r\nX-Injected: 1'],
  ['bidi override', 'abc\u202Edef'],
  ['zero-width joiner', 'ab\u200Dcd'],
  ['emoji', '🏫🏫🏫'],
  ['empty', ''],
  ['spaces only', '   '],
  ['huge string', 'a'.repeat(20_000)],
  ['huge number', 1e308],
  ['negative number', -1],
  ['boolean', true],
  ['null', null],
  ['array', ['a', 'b', 'c']],
  ['nested object', { a: { b: { c: {} } } }],
];

describe('hostile input on every field and route: a 4xx problem naming the field, never a 500, never a school', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let tried = 0;

  beforeAll(async () => {
    central = await freshDatabase('scs_hostile');
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_RATE_LIMIT_PER_MINUTE: '100000', SCS_POST_RATE_LIMIT_PER_MINUTE: '100000' },
    });
  });
  afterAll(async () => {
    console.log(`hostile inputs tried: ${tried}`);
    await scs?.stop();
    await central?.drop();
  });

  const cases = [
    ...FIELDS.flatMap((field) => HOSTILE.map(([what, value]) => [field, what, value] as const)),
    ...(['slug', 'adminEmail', 'phone'] as const).flatMap((field) =>
      LOOK_ALIKES.map(([what, value]) => [field, what, value] as const),
    ),
  ];

  it.each(cases)('%s: %s → 400 naming the field', async (...row) => {
    const [field, , value] = row;
    tried++;
    const res = await scs.request('/school', { method: 'POST', json: { ...schoolBody(), [field]: value } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  const routes: Array<[string, string, number[]]> = [
    ['GET', '/school/%00', [400]],
    ['GET', '/school/..%2f..%2fadmin', [404]],
    ['GET', `/school/${'9'.repeat(5000)}`, [404, 414, 431]],
    ['GET', '/school/00000000-0000-0000-0000-000000000000%27%20OR%20%271%27=%271', [404]],
    ['DELETE', '/school/%2e%2e', [404]],
    ['GET', '/school/6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b/history?asOf=%00', [400]],
    ['GET', '/school/6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b/history?asOf=99999-99-99', [400]],
    ['GET', '/schools?limit=1e9', [400]],
    ['GET', '/schools?offset=%27%3BDROP', [400]],
    ['GET', '/schools?district[$ne]=x', [400]],
    ['GET', `/schools?board=${'x'.repeat(5000)}`, [400]],
    ['PUT', '/school', [405]],
    ['PATCH', '/school/6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', [428]],
    ['PUT', '/school/6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', [405]],
  ];

  it.each(routes)('%s %s → %j', async (...row) => {
    const [method, path, statuses] = row;
    tried++;
    const res = await scs.request(path, { method });
    expect(statuses).toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  // PostgreSQL refuses a NUL in text ("invalid byte sequence for encoding UTF8: 0x00", a 500 once), and
  // bytes that are not UTF-8 would reach it as U+FFFD: both are refused at the edge, on every route.
  const SCHOOL = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
  const notUtf8Body = Buffer.concat([
    Buffer.from(JSON.stringify(schoolBody()).replace('"Greenwood High"', '"Green')),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('wood"'),
  ]);
  it.each([
    ['GET', '/schools?board=%00', 'board'],
    ['GET', '/schools?district=%C3%28', 'district'],
    ['GET', '/schools?status=active%00', 'status'],
    ['GET', '/schools?bo%00ard=x', 'bo%00ard'],
    ['GET', '/audit/events?actor=%00', 'actor'],
    ['GET', '/audit/events?type=School%C3%28', 'type'],
    ['GET', '/audit/events?after=%00', 'after'],
    ['GET', '/reports/onboarding?groupBy=%FF', 'groupBy'],
    ['GET', '/school/%00', 'id'],
    ['GET', `/school/%C3%28/history`, 'id'],
    ['DELETE', '/school/%00', 'id'],
    ['GET', `/school/${SCHOOL}/history?asOf=%00`, 'asOf'],
    ['POST', '/school', 'board', JSON.stringify({ ...schoolBody(), board: 'CB\u0000SE' })],
    ['POST', '/school', 'name', notUtf8Body],
    ['POST', '/school', 'Idempotency-Key', JSON.stringify(schoolBody()), { 'Idempotency-Key': 'key-\u00c3(' }],
  ] as Array<[string, string, string, (string | Buffer)?, Record<string, string>?]>)(
    'NUL or not UTF-8: %s %s → 400 invalid-text naming %s',
    async (...row) => {
      const [method, path, field, body, headers] = row;
      tried++;
      const res = await scs.request(path, {
        method,
        body,
        headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toMatch(/\/invalid-text$/);
      expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
      expect(res.body.detail).toContain(field);
    },
  );

  it.each([
    ['an X-SCS-Key of 10 kB', 'k'.repeat(10_000), {}, [401, 431]],
    ['a percent-encoded non-ASCII X-SCS-Key', encodeURIComponent('ключ'), {}, [401]],
    ['an empty X-SCS-Key', '', {}, [401]],
    [
      'a Content-Type with a charset we do not speak',
      undefined,
      { 'Content-Type': 'application/json; charset=utf-7' },
      [415],
    ],
    ['a huge X-Correlation-Id', undefined, { 'X-Correlation-Id': 'c'.repeat(8000) }, [202, 431]],
    ['an Idempotency-Key with spaces', undefined, { 'Idempotency-Key': 'a b c' }, [400]],
  ] as Array<[string, string | undefined, Record<string, string>, number[]]>)('header abuse: %s', async (...row) => {
    const [, key, headers, statuses] = row;
    tried++;
    const res = await scs.request('/school', {
      method: 'POST',
      key,
      body: JSON.stringify(schoolBody()),
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    expect(statuses).toContain(res.status);
    if (res.status >= 400 && res.status !== 431) expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  // A good body's JSON text with `members` written first, so that repeats reach the server as written.
  const raw = (members: string) => JSON.stringify(schoolBody()).replace(/^\{/, `{${members},`);
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  it.each([
    ['arrays 1,500 deep in a known field (3 KB)', `{"district":${deep(1500)},"name":"x"}`, 'district'],
    ['arrays 33 deep in a known field', `{"board":${deep(33)}}`, 'board'],
    ['objects 10,000 deep in an unknown field', `{"x":${deepObject(10_000)}}`, 'x'],
    ['a body that is only brackets, 20,000 deep', deep(20_000), '(body)'],
    ['the same member twice, the hostile one first', raw('"slug":"../../x"'), 'slug'],
    ['a member repeated through a \\u escape', raw('"sl\\u0075g":"../../x"'), 'slug'],
    ['the same member twice with the same value', raw('"board":"CBSE"'), 'board'],
    ['__proto__ twice', raw('"__proto__":{},"__proto__":{"admin":true}'), '__proto__'],
    ['a duplicate inside a nested value', `{"name":{"a":1,"a":2}}`, 'name.a'],
  ])('JSON shape: %s → 400 naming the field, before any transformation', async (...row) => {
    const [, body, field] = row;
    tried++;
    const res = await scs.request('/school', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  type EncodedCase = [string, string, number, Buffer, string | undefined];
  const dup = Buffer.from(raw('"slug":"../../x"'));
  const bomb = gzipSync(Buffer.from(`{"name":"${'a'.repeat(20_000_000)}"}`));
  it.each([
    ['gzip, a duplicate member inside', 'gzip', 400, gzipSync(dup), 'slug'],
    ['deflate, a duplicate member inside', 'deflate', 400, deflateSync(dup), 'slug'],
    ['br, a duplicate member inside', 'br', 400, brotliCompressSync(dup), 'slug'],
    ['gzip, arrays 5,000 deep inside', 'gzip', 400, gzipSync(`{"phone":${deep(5000)}}`), 'phone'],
    [`gzip bomb (${Math.round(bomb.length / 1024)} KiB → 20 MB)`, 'gzip', 413, bomb, undefined],
    ['gzip that is not gzip', 'gzip', 400, Buffer.from('not gzip at all'), undefined],
    ['an encoding nobody speaks', 'x-evil', 415, dup, undefined],
    ['two encodings stacked', 'gzip, gzip', 415, gzipSync(gzipSync(dup)), undefined],
  ] as EncodedCase[])('Content-Encoding: %s (%s) → %s', async (...row) => {
    const [, encoding, status, body, field] = row;
    tried++;
    const headers = { 'Content-Type': 'application/json', 'Content-Encoding': encoding };
    const res = await scs.request('/school', { method: 'POST', body, headers });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('made no school and no database from any hostile request', async () => {
    const streams = (
      await query(
        central.url,
        `SELECT count(DISTINCT stream_id)::int AS n FROM scs_events WHERE stream_id LIKE 'school-%'`,
      )
    )[0].n;
    // Only the well-formed request with the long correlation id may have made a school.
    expect(streams).toBeLessThanOrEqual(1);
    const list = await waitFor('the read model to catch up', async () => {
      const body = (await scs.request('/schools?limit=500')).body;
      return body.total === streams ? body : undefined;
    });
    expect(list.total).toBe(streams);
  });
});
