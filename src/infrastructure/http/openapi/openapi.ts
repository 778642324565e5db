import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiResponse, DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { projectRoot } from '../../postgres/sql-migrations.js';
import { AuditEventDto, AuditPageDto } from './report-schemas.js';
import { AsOfDto, HistoryDto, ProblemDto } from './schemas.js';

export const API_KEY_SCHEME = 'X-SCS-Key';

/** Every problem status an operation may answer, and what it means there. */
const PROBLEMS: Record<number, string> = {
  400:
    'bad input: a problem naming every field at fault in `errors[]`; `invalid-text` on any route for a path ' +
    'segment, query parameter, header or body string that is not UTF-8 or holds a NUL',
  401: 'no or wrong `X-SCS-Key`',
  404: 'no school has this id',
  409:
    'conflict: the slug is taken (`slug-taken`), its DNS name holds records SCS does not own (`name-taken`), a retried school is not failed (`school-not-failed`), ' +
    "the school's status does not allow it (`wrong-status`, with `schoolStatus`), " +
    'or a request with this Idempotency-Key is still running',
  410: 'the school is deleted',
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

/** The OpenAPI 3.1 document of the application's routes, generated from their decorators. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('SCS — School Creation Service')
    .setDescription(
      'Provisions a school tenant (database, DNS, TLS certificate, registry row, welcome email) and ' +
        'tears it down. Errors are RFC 9457 `application/problem+json` with a stable `type`.',
    )
    .setVersion(version)
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_SCHEME }, API_KEY_SCHEME)
    // Every route may answer these: 400 `invalid-text` from the HTTP edge (a path segment, query parameter or
    // Idempotency-Key that is not UTF-8 or holds a NUL), before the route itself reads anything.
    .addGlobalResponse(
      { status: 400, description: PROBLEMS[400], content: problemContent() },
      { status: 500, description: PROBLEMS[500], content: problemContent() },
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, HistoryDto, AsOfDto, AuditPageDto, AuditEventDto],
  });
  ownRoutes(document);
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
