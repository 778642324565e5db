import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import { INTEGRATION_EVENT_TYPES } from '../../src/integration-events/integration-events.js';
import { freshDatabase } from '../support/databases.js';
import { CLIENT_TYPES, generateClientTypes } from '../support/openapi-client.js';
import { ContractViolation } from '../support/openapi.js';
import type { paths } from '../support/scs-api.js';
import { API_KEY, schoolBody, startScs, waitFor, type ScsProcess } from '../support/scs-process.js';

describe('OpenAPI 3.1 document: GET /openapi.json, /docs, and a generated client', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_openapi');
    scs = await startScs({ databaseUrl: central.url });
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('describes every route, with its answers and problems, without a key', async () => {
    const res = await scs.request('/openapi.json', { key: null });
    expect(res.status).toBe(200);
    const document = res.body;
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'DELETE /school/{id}',
        'GET /audit/events',
        'GET /console',
        'GET /docs',
        'GET /health',
        'GET /me',
        'GET /metrics',
        'GET /openapi.json',
        'GET /projections',
        'GET /ready',
        'GET /reports/fleet',
        'GET /reports/onboarding',
        'GET /reports/steps',
        'GET /school/{id}',
        'GET /school/{id}/credentials',
        'GET /school/{id}/history',
        'GET /schools',
        'PATCH /school/{id}',
        'POST /school/{id}/restore',
        'POST /school/{id}/resume',
        'POST /school/{id}/suspend',
        'POST /school',
        'POST /school/{id}/retry',
        'DELETE /webhooks/{id}',
        'GET /webhooks',
        'GET /webhooks/{id}',
        'GET /webhooks/{id}/deliveries',
        'POST /webhooks',
        'POST /webhooks/{id}/rotate-secret',
        'POST /webhooks/{id}/test',
        'POST /webhooks/{id}/redeliver',
        'POST /webhooks/{id}/replay',
        'POST /webhooks/{id}/enable',
        'GET /events/stream',
      ].sort(),
    );
    const keyed = [
      '/school',
      '/school/{id}',
      '/school/{id}/history',
      '/school/{id}/credentials',
      '/school/{id}/retry',
      '/school/{id}/suspend',
      '/school/{id}/resume',
      '/school/{id}/restore',
      '/schools',
      '/projections',
      '/reports/onboarding',
      '/reports/steps',
      '/reports/fleet',
      '/audit/events',
      '/me',
      '/webhooks',
      '/webhooks/{id}',
      '/webhooks/{id}/deliveries',
      '/webhooks/{id}/rotate-secret',
      '/webhooks/{id}/test',
      '/webhooks/{id}/redeliver',
      '/webhooks/{id}/replay',
      '/webhooks/{id}/enable',
      '/events/stream',
    ];
    for (const path of keyed) {
      for (const operation of Object.values(document.paths[path]) as Array<Record<string, any>>) {
        // The scope it needs (none for /me, which any key may call): scopes.e2e checks each against its route.
        expect(operation.security).toEqual([{ 'X-SCS-Key': operation['x-scopes'] }]);
        for (const status of ['401', '429', '500', '503', ...(path === '/me' ? [] : ['403'])]) {
          expect(operation.responses[status].content).toHaveProperty(['application/problem+json']);
        }
      }
    }
    expect(document.paths['/school'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateSchoolDto',
    });
    expect(document.components.schemas.CreateSchoolDto.additionalProperties).toBe(false);
    const change = document.paths['/school/{id}'].patch;
    for (const type of ['application/merge-patch+json', 'application/json']) {
      expect(change.requestBody.content[type].schema).toEqual({ $ref: '#/components/schemas/ChangeDetailsDto' });
    }
    expect(change.parameters).toContainEqual(
      expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
    );
    expect(Object.keys(change.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '412', '428']));
    const suspend = document.paths['/school/{id}/suspend'].post;
    expect(suspend.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/SuspendSchoolDto',
    });
    expect(document.components.schemas.SchoolViewDto.properties.suspension).toBeDefined();
    expect(document.components.schemas.SchoolViewDto.properties.status.enum).toEqual(
      expect.arrayContaining(['suspending', 'suspended', 'resuming']),
    );
  });

  it('documents every integration event in its webhooks section, one closed JSON Schema per type', async () => {
    const document = (await scs.request('/openapi.json', { key: null })).body;
    expect(Object.keys(document.webhooks).sort()).toEqual([...INTEGRATION_EVENT_TYPES, 'webhook.test'].sort());
    for (const [type, item] of Object.entries(document.webhooks as Record<string, any>)) {
      const ref = item.post.requestBody.content['application/json'].schema.$ref as string;
      const schema = document.components.schemas[ref.replace('#/components/schemas/', '')];
      expect(schema).toMatchObject({ additionalProperties: false, properties: { type: { const: type } } });
      expect(schema.properties.data.additionalProperties).toBe(false);
      expect(item.post.parameters.map((p: { name: string }) => p.name)).toEqual([
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
      ]);
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const page = await scs.request('/docs', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toMatch(/swagger-ui/);
  });

  it('refuses answers the document does not describe: a status, a content type, a field', async () => {
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = (await scs.request(`/school/${created.body.id}`)).body;
    const answer = { method: 'GET', url: `/school/${school.id}`, contentType: 'application/json', status: 200 };
    expect(() => scs.contract.check({ ...answer, body: school })).not.toThrow();
    expect(() => scs.contract.check({ ...answer, body: { ...school, secret: 'x' } })).toThrow(ContractViolation);
    expect(() => scs.contract.check({ ...answer, body: { ...school, status: 'sleeping' } })).toThrow(/status/);
    expect(() => scs.contract.check({ ...answer, status: 418, body: school })).toThrow(/status not documented/);
    expect(() => scs.contract.check({ ...answer, contentType: 'text/plain', body: 'x' })).toThrow(/content type/);
    const withoutSteps = { ...school, steps: undefined };
    expect(() => scs.contract.check({ ...answer, body: JSON.parse(JSON.stringify(withoutSteps)) })).toThrow(/steps/);
  });

  it('the committed client types are what openapi-typescript generates from the live document', async () => {
    const document = (await scs.request('/openapi.json', { key: null })).body;
    // On a difference: `npm run openapi:client -- <url>/openapi.json` against a running service, and commit.
    expect(readFileSync(CLIENT_TYPES, 'utf8')).toEqual(await generateClientTypes(document));
  });

  it('a client generated from the document provisions and deletes a school', async () => {
    const client = createClient<paths>({ baseUrl: scs.url, headers: { 'X-SCS-Key': API_KEY } });
    const { name, slug, district, board, adminEmail, phone } = schoolBody();
    const body = { name, slug, district, board, adminEmail, phone };
    const created = await client.POST('/school', { body });
    expect(created.response.status).toBe(202);
    const id = created.data!.id;
    expect(created.data).toMatchObject({ slug: body.slug, status: 'provisioning' });
    const active = await waitFor('the school to be active', async () => {
      const { data } = await client.GET('/school/{id}', { params: { path: { id } } });
      return data?.status === 'active' ? data : undefined;
    });
    expect(active.steps.map((s) => s.status)).toEqual(active.steps.map(() => 'succeeded'));
    const deleted = await client.DELETE('/school/{id}', { params: { path: { id } } });
    expect(deleted.response.status).toBe(202);
    expect(deleted.data).toEqual({ id, status: 'deprovisioning' });
    await waitFor('the school to be deleted', async () => {
      const { data } = await client.GET('/school/{id}', { params: { path: { id } } });
      return data?.status === 'deleted' ? data : undefined;
    });
    const invalid = await client.POST('/school', { body: { ...body, slug: `${slug}-2`, phone: 'call me' } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({ errors: [{ field: 'phone' }] });
  });
});
