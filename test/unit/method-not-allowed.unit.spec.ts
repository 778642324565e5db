import express from 'express';
import request from 'supertest';
import { cors, methodNotAllowed } from '../../src/http/http-edges.js';

// A real Express 5 router with routes shaped like SCS's, the middleware in front as http-app.ts puts it.
function app(origins: string[] = []): express.Express {
  const app = express();
  app.set('query parser', 'simple');
  const router = () => (app as unknown as { router: { stack: unknown[] } }).router;
  app.use(cors(origins));
  app.use(methodNotAllowed(router));
  const ok = (_req: express.Request, res: express.Response) => void res.json({ ok: true });
  app.post('/school', ok);
  app.get('/school/:id', ok);
  app.delete('/school/:id', ok);
  app.patch('/school/:id', ok);
  app.get('/school/:id/history', ok);
  app.get('/schools', ok);
  app.get('/health', ok);
  app.put('/:tenant/settings', ok); // a route that begins with a parameter
  return app;
}

describe('405 for a wrong method on a known route (the router read through an index of first segments)', () => {
  const id = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
  const server = app();

  it.each([
    ['PUT', `/school/${id}`, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['PUT', '/school', 'OPTIONS, POST'],
    ['POST', `/school/${id}/history`, 'GET, HEAD, OPTIONS'],
    ['DELETE', '/schools', 'GET, HEAD, OPTIONS'],
    // Express matches routes without regard to case, and so does the index.
    ['PUT', `/School/${id}`, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['POST', '/HEALTH', 'GET, HEAD, OPTIONS'],
    // A route that begins with a parameter is found from any first segment, beside the literal ones.
    ['GET', '/acme/settings', 'OPTIONS, PUT'],
    ['POST', '/schools/settings', 'OPTIONS, PUT'],
  ])('%s %s → 405, Allow: %s', async (method, path, allow) => {
    const res = await request(server)[method.toLowerCase() as 'get'](path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    ['GET', `/school/${id}`, 200],
    ['DELETE', `/School/${id}`, 200],
    ['PATCH', `/school/${id}`, 200],
    ['PUT', '/acme/settings', 200],
    ['GET', '/nowhere', 404],
    ['PATCH', '/nowhere/at/all', 404],
  ])('%s %s passes through (%i)', async (method, path, status) => {
    const res = await request(server)[method.toLowerCase() as 'get'](path);
    expect(res.status).toBe(status);
    expect(res.headers.allow).toBeUndefined();
  });

  it('sees routes added after its first request (the index is made again when the stack grows)', async () => {
    const late = app();
    expect((await request(late).post('/reports')).status).toBe(404);
    late.get('/reports', (_req, res) => void res.json({}));
    const res = await request(late).post('/reports');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it.each([
    [`/school/${id}`, 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['/school', 'OPTIONS, POST'],
    ['/acme/settings', 'OPTIONS, PUT'],
  ])('OPTIONS %s → 204, Allow: %s', async (path, allow) => {
    const res = await request(server).options(path);
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe(allow);
    expect(res.text).toBe('');
  });

  it('answers OPTIONS on a path no route has with 404, as any method', async () => {
    expect((await request(server).options('/nowhere')).status).toBe(404);
  });
});

describe('CORS: off unless SCS_CORS_ORIGINS lists the origin', () => {
  const id = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
  const console = 'https://console.example.org';
  const preflight = (server: express.Express, origin: string) =>
    request(server)
      .options(`/school/${id}`)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'x-scs-key, if-match');

  it('answers a listed origin’s preflight with the route’s methods and the headers it may send', async () => {
    const res = await preflight(app([console]), console);
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': console,
      'access-control-allow-methods': 'DELETE, GET, HEAD, OPTIONS, PATCH',
      'access-control-allow-headers': 'Content-Type, X-SCS-Key, Idempotency-Key, If-Match, If-None-Match',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const get = await request(app([console]))
      .get(`/school/${id}`)
      .set('Origin', console);
    expect(get.headers['access-control-allow-origin']).toBe(console);
    expect(get.headers['access-control-expose-headers']).toContain('ETag');
  });

  it('gives an origin not listed, or any origin when none is configured, no CORS header', async () => {
    for (const server of [app([console]), app()]) {
      const res = await preflight(server, 'https://evil.example');
      expect(res.status).toBe(204);
      expect(res.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH');
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    const star = await preflight(app(['*']), 'https://anywhere.example');
    expect(star.headers['access-control-allow-origin']).toBe('*');
    expect(star.headers.vary).toBeUndefined();
  });
});
