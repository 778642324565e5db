import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import {
  ApiResponse,
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type OpenAPIObject,
  type OperationIdFactory,
} from '@nestjs/swagger';
import { projectRoot } from '../../shared/project-root.js';
import { integrationEventSchemas } from '../../integration-events/schemas.js';
import { AuditEventDto, AuditPageDto } from './report-schemas.js';
import { AsOfDto, HistoryDto } from './history-schemas.js';
import { ProblemDto } from './problem-schema.js';
import { SCOPES } from '../../config/scopes.js';

export const API_KEY_SCHEME = 'X-SCS-Key';

/** Every problem status an operation may answer, and what it means there. */
const PROBLEMS: Record<number, string> = {
  400:
    'bad input: a problem naming every field at fault in `errors[]`; `invalid-text` on any route for a path ' +
    'segment, query parameter, header or body string that is not UTF-8 or holds a NUL',
  401: 'no or wrong `X-SCS-Key`',
  403: 'the key lacks the scope this operation needs (`missing-scope`, naming it in `scope`)',
  404: 'no school has this id',
  409:
    'conflict: the slug is taken (`slug-taken`), its DNS name holds records SCS does not own (`name-taken`), a retried school is not failed (`school-not-failed`), ' +
    "the school's status does not allow it (`wrong-status`, with `schoolStatus`), a restored school is not deleted (`not-deleted`), " +
    'or a request with this Idempotency-Key is still running',
  410:
    'the school is deleted (`school-deleted`); for a restore, its archive is past SCS_ARCHIVE_RETENTION_DAYS or gone ' +
    '(`archive-expired`)',
  412: "If-Match is not the school's current ETag: it changed since (`precondition-failed`); nothing was changed",
  413: 'body over SCS_BODY_LIMIT_BYTES',
  415: 'body not JSON (UTF-8)',
  422: 'this Idempotency-Key was used with another request',
  428: 'no If-Match: send the ETag of GET /school/:id (`precondition-required`)',
  429: 'rate limit: retry after `Retry-After` seconds',
  500: 'internal error (logged with the correlation id)',
  503: 'the event store cannot be reached: retry after `Retry-After` seconds',
};

const problemContent = () => ({ 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } });

/** Documents one `application/problem+json` answer whose meaning on this operation is its own. */
export function ApiProblem(status: number, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: problemContent() });
}

/** Documents `application/problem+json` answers with these statuses. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: PROBLEMS[status], content: problemContent() })),
  );
}

/**
 * Each controller's published API group, by class name (what Nest's operationIdFactory is given). An operationId
 * is `<group>_<method>`, not `<controller class>_<method>`: published operationIds are part of the API contract
 * (generated clients name their calls by them, test/support/scs-api.d.ts among them), so they must not change
 * when a controller is split or renamed. Several controllers, one per use case, share a group.
 */
const apiGroups = new Map<string, string>();

/**
 * Publishes this controller's operationIds as `<group>_<method>` rather than `<its class name>_<method>`
 * (../api-groups.ts puts each controller in its group).
 */
export function ApiGroup(group: string): ClassDecorator {
  return (target) => {
    apiGroups.set(target.name, group);
  };
}

/** Nest's default (`<controller>_<method>`, `_<version>` after a versioned route's), with a controller's group. */
const operationId: OperationIdFactory = (controllerKey, methodKey, version) => {
  const group = apiGroups.get(controllerKey) ?? controllerKey;
  return version ? `${group}_${methodKey}_${version}` : `${group}_${methodKey}`;
};

type Node = Record<string, unknown>;

/**
 * Closes every described object (no `additionalProperties` means none): SCS never answers a field it does
 * not describe, and the e2e suites' validation holds it to that. Free-form objects say so themselves.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Node;
  if (schema.properties !== undefined && schema.additionalProperties === undefined) schema.additionalProperties = false;
  Object.values(schema).forEach(closeObjects);
}

/** The routes SwaggerModule serves itself, described like the others. */
function ownRoutes(document: OpenAPIObject): void {
  const page = (summary: string, type: string, schema: Node) => ({
    get: {
      tags: ['operations'],
      summary,
      responses: { 200: { description: summary, content: { [type]: { schema } } } },
    },
  });
  document.paths['/openapi.json'] = page('this document (OpenAPI 3.1)', 'application/json', { type: 'object' });
  document.paths['/docs'] = page('the document in Swagger UI', 'text/html', { type: 'string' });
  document.paths['/console'] = page('the operator console (no key: it asks for one)', 'text/html', { type: 'string' });
}

/**
 * Says each keyed operation's scope in its description too (Swagger UI shows it there), from the `x-scopes`
 * that the route's @RequireScope or @AnyKey put beside its security requirement.
 */
function describeScopes(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths) as Array<Record<string, Node>>)
    for (const operation of Object.values(item)) {
      const scopes = operation['x-scopes'];
      if (!Array.isArray(scopes)) continue;
      const needs = scopes.length > 0 ? `Needs the scope \`${scopes.join('`, `')}\`.` : 'Any valid key.';
      operation.description = operation.description ? `${String(operation.description)}\n\n${needs}` : needs;
    }
}

const SIGNATURE_HEADERS = [
  ['webhook-id', 'the event id: the same on every redelivery of one event'],
  ['webhook-timestamp', 'seconds since the epoch when this attempt was signed'],
  [
    'webhook-signature',
    'space-separated `v1,<base64 HMAC-SHA256>` (Standard Webhooks); two during a secret rotation, one per secret',
  ],
] as const;

/**
 * What SCS sends to webhook endpoints: one `webhooks` entry and one schema per public event type
 * (integration-events), each a CloudEvents 1.0 JSON object signed per Standard Webhooks.
 */
function integrationEvents(document: OpenAPIObject): void {
  const schemas = ((document.components ??= {}).schemas ??= {});
  const webhooks: Record<string, unknown> = {};
  for (const [type, schema] of Object.entries(integrationEventSchemas())) {
    const name = `IntegrationEvent.${type}`;
    schemas[name] = schema;
    webhooks[type] = {
      post: {
        tags: ['webhooks'],
        summary: (schema as { description: string }).description,
        parameters: SIGNATURE_HEADERS.map(([name, description]) => ({
          name,
          in: 'header',
          required: true,
          description,
          schema: { type: 'string' },
        })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
        },
        responses: {
          '2XX': { description: 'delivered' },
          '410': { description: 'the endpoint is gone: SCS disables it at once' },
          default: { description: 'retried with exponential backoff and jitter until SCS_WEBHOOK_RETRY_FOR_S' },
        },
      },
    };
  }
  Object.assign(document, { webhooks });
}

/** The OpenAPI 3.1 document of the application's routes, generated from their decorators. */
function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('SCS — School Creation Service')
    .setDescription(
      'Provisions a school tenant (database, DNS, TLS certificate, registry row, welcome email) and ' +
        'tears it down. Errors are RFC 9457 `application/problem+json` with a stable `type`.',
    )
    .setVersion(version)
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: API_KEY_SCHEME,
        description:
          `An API key; each operation names the scope it needs (its security requirement and \`x-scopes\`). ` +
          `A key has the scopes listed after its secret, or all of them: ${SCOPES.join(', ')}. GET /me says which.`,
      },
      API_KEY_SCHEME,
    )
    // Every route may answer these: 400 `invalid-text` from the HTTP edge (a path segment, query parameter or
    // Idempotency-Key that is not UTF-8 or holds a NUL), before the route itself reads anything.
    .addGlobalResponse(
      { status: 400, description: PROBLEMS[400], content: problemContent() },
      { status: 500, description: PROBLEMS[500], content: problemContent() },
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, HistoryDto, AsOfDto, AuditPageDto, AuditEventDto],
    operationIdFactory: operationId,
  });
  ownRoutes(document);
  describeScopes(document);
  integrationEvents(document);
  closeObjects(document.components);
  return document;
}

/** GET /openapi.json and the Swagger UI at /docs (no key: they describe, they do not act). */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'SCS API',
  });
}
