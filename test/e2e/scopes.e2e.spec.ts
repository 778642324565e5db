import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_CONTROLLERS } from '../../src/http/controllers.js';
import { MetricsController } from '../../src/http/metrics.controller.js';
import { routeTable, type RouteEntry } from '../../src/http/route-table.js';
import { SCOPES, type Scope } from '../../src/config/scopes.js';
import { freshDatabase } from '../support/databases.js';
import { Scrape } from '../support/prometheus.js';
import { startScs, type ScsProcess } from '../support/scs-process.js';

/** For each scope, a key with only that scope, and a key with every scope but that one. */
const name = (scope: Scope) => scope.replace(':', '-');
const secret = (id: string) => `${id}-secret-0123456789`;
const only = (scope: Scope) => `only-${name(scope)}`;
const allBut = (scope: Scope) => `but-${name(scope)}`;
const KEYS = SCOPES.flatMap((scope) => [
  `${only(scope)}:${secret(only(scope))}:${scope}`,
  `${allBut(scope)}:${secret(allBut(scope))}:${SCOPES.filter((s) => s !== scope).join('+')}`,
]);

/** The route table Nest builds its router from: every controller the application mounts. */
const ROUTES = routeTable([...HTTP_CONTROLLERS, MetricsController]);
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
// The event stream never ends by itself: a bad filter makes it answer (400) once the key has passed.
const concrete = (path: string) =>
  path === '/events/stream' ? `${path}?types=none` : path.replace(/:\w+/g, randomUUID());

describe('scoped API keys: every route declares its scope, and only keys with it pass', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let document: { paths: Record<string, Record<string, Record<string, unknown>>> };

  beforeAll(async () => {
    central = await freshDatabase('scs_scopes');
    // The keys come from a file, so that they never sit in the environment.
    const file = join(mkdtempSync(join(tmpdir(), 'scs-keys-')), 'api-keys');
    writeFileSync(file, `# one key per line\n${KEYS.join('\n')}\n`, { mode: 0o600 });
    scs = await startScs({ databaseUrl: central.url, env: { SCS_API_KEYS_FILE: file } });
    document = (await scs.request('/openapi.json', { key: null })).body;
  }, 60_000);
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('the route table has routes, and each declares a scope, any key, or no key', () => {
    expect(ROUTES.length).toBeGreaterThan(10);
    expect(ROUTES.filter((route) => route.access === undefined)).toEqual([]);
  });

  it("lists each operation's scopes in the OpenAPI document, as the route declares them", () => {
    for (const route of ROUTES) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect([route.method, route.path, operation !== undefined]).toEqual([route.method, route.path, true]);
      if (route.access === 'public') {
        expect(operation).not.toHaveProperty('security');
        continue;
      }
      const scopes = route.access === 'any-key' ? [] : [route.access];
      expect({ route: route.path, scopes: operation['x-scopes'] }).toEqual({ route: route.path, scopes });
      expect(operation.security).toEqual([{ 'X-SCS-Key': scopes }]);
      expect(operation.description).toContain(scopes.length ? `\`${scopes[0]}\`` : 'Any valid key');
    }
  });

  const call = (route: RouteEntry, key: string | null) =>
    scs.request(concrete(route.path), {
      method: route.method,
      key,
      ...(route.method === 'POST' ? { json: {} } : {}),
    });

  it('passes a key with only the route’s scope, and answers 403 naming it to a key with every other scope', async () => {
    const keyed = ROUTES.filter((route) => route.access !== 'public');
    for (const route of keyed) {
      const label = `${route.method} ${route.path}`;
      if (route.access === 'any-key') {
        for (const scope of SCOPES) {
          const res = await call(route, secret(only(scope)));
          expect([label, scope, res.status]).toEqual([label, scope, 200]);
        }
        continue;
      }
      const scope = route.access as Scope;
      const allowed = await call(route, secret(only(scope)));
      expect([label, ![401, 403].includes(allowed.status)]).toEqual([label, true]);
      const denied = await call(route, secret(allBut(scope)));
      expect([label, denied.status]).toEqual([label, 403]);
      expect(denied.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(denied.body).toMatchObject({
        type: 'https://scs.syncad.in/problems/missing-scope',
        status: 403,
        scope,
        detail: `the key "${allBut(scope)}" lacks the scope ${scope}`,
      });
    }
    for (const route of ROUTES.filter((r) => r.access === 'public')) {
      const res = await call(route, null);
      expect([route.path, res.status]).toEqual([route.path, 200]);
    }
  }, 60_000);

  it('counts each refusal in metrics and logs it with the key id, never the secret', async () => {
    const metrics = Scrape.parse((await scs.request('/metrics', { key: null })).body);
    const scoped = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'any-key');
    for (const route of scoped) {
      const labels = { reason: 'missing-scope', key_id: allBut(route.access as Scope), route: route.path };
      // One refusal for each method on the path that needs this scope (GET and POST /webhooks).
      const methods = scoped.filter((r) => r.path === route.path && r.access === route.access).length;
      expect([route.path, metrics.value('scs_http_denied_total', labels)]).toEqual([route.path, methods]);
    }
    expect((await scs.request('/schools', { key: 'not-a-key-0123456789' })).status).toBe(401);
    const after = Scrape.parse((await scs.request('/metrics', { key: null })).body);
    expect(after.value('scs_http_denied_total', { reason: 'unauthorized', route: '/schools' })).toBe(1);
    const logs = scs.logs.join('');
    expect(logs).toContain('denied DELETE /school/:id: key \\"but-schools-delete\\" lacks schools:delete');
    for (const scope of SCOPES) expect(logs).not.toContain(secret(allBut(scope)));
  });

  it('GET /me answers the key id and its scopes', async () => {
    const me = await scs.request('/me', { key: secret(only('audit:read')) });
    expect(me.body).toEqual({ id: 'only-audit-read', scopes: ['audit:read'] });
    const most = await scs.request('/me', { key: secret(allBut('schools:delete')) });
    expect(most.body.scopes).toEqual(SCOPES.filter((s) => s !== 'schools:delete'));
    expect((await scs.request('/me', { key: null })).status).toBe(401);
  });
});
