import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  addWebhook,
  removeWebhook,
  rotateWebhookSecret,
  testWebhook,
  WebhookInputError,
  WebhookNotFound,
  type WebhookParts,
} from './manage-webhooks.js';
import { enableWebhook, redeliverWebhookEvent, replayWebhook, WebhookEventNotFound } from './replay-webhooks.js';
import { isSchoolId } from '../domain/school/events.js';
import { WEBHOOK_PARTS } from './manage-webhooks.js';
import { ApiProblem, ApiProblems } from '../http/openapi/openapi.js';
import {
  AddedWebhookDto,
  AddWebhookDto,
  DeliveryAttemptDto,
  DeliveryListDto,
  RedeliverDto,
  ReplayDto,
  ReplayedDto,
  RotatedSecretDto,
  RotateSecretDto,
  WebhookEndpointDto,
  WebhookListDto,
} from '../http/openapi/webhook-schemas.js';
import { RequireScope } from '../http/api-key.guard.js';
import { problem } from '../http/problem.js';
import { onlyKnown, queryInt } from '../http/query-params.js';

const ID = { name: 'id', schema: { type: 'string', format: 'uuid' } } as const;
const NOT_FOUND = 'no webhook endpoint has this id';

function notFound(): NotFoundException {
  return new NotFoundException(problem(404, 'webhook-not-found', 'Webhook endpoint not found', NOT_FOUND));
}

/** Endpoint ids are UUIDs like school ids: anything else names none (and never reaches a query). */
function endpointId(raw: string): string {
  if (!isSchoolId(raw)) throw notFound();
  return raw;
}

function invalid(errors: Array<{ field: string; message: string }>): BadRequestException {
  return new BadRequestException(
    problem(400, 'validation', 'Invalid webhook endpoint', errors.map((e) => `${e.field} ${e.message}`).join('; '), {
      errors,
    }),
  );
}

/** A body that must be a JSON object naming only `known` members. */
function objectBody(body: unknown, known: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid([{ field: '(body)', message: 'must be a JSON object' }]);
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw invalid(unknown.slice(0, 5).map((field) => ({ field, message: 'is not a known field' })));
  return body as Record<string, unknown>;
}

async function orNotFound<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof WebhookNotFound) throw notFound();
    if (error instanceof WebhookInputError) throw invalid(error.errors);
    if (error instanceof WebhookEventNotFound)
      throw new NotFoundException(problem(404, 'webhook-event-not-found', 'Event not found', error.message));
    throw error;
  }
}

/** Webhook endpoints: where integration events are delivered, signed per Standard Webhooks. */
@ApiTags('webhooks')
@ApiProblems(401, 403, 429, 503)
@Controller('webhooks')
export class WebhooksController {
  constructor(@Inject(WEBHOOK_PARTS) private readonly parts: WebhookParts) {}

  @ApiOperation({ summary: 'add an endpoint: its secret is in this answer only' })
  @ApiBody({ type: AddWebhookDto })
  @ApiResponse({ status: 201, type: AddedWebhookDto })
  @ApiProblems(400)
  @RequireScope('webhooks:manage')
  @Post()
  @HttpCode(201)
  async add(@Body() body: unknown): Promise<AddedWebhookDto> {
    const { url, eventTypes } = objectBody(body, ['url', 'eventTypes']);
    try {
      const { endpoint, secret } = await addWebhook(this.parts, { url, eventTypes });
      return { ...endpoint, secret };
    } catch (error) {
      if (error instanceof WebhookInputError) throw invalid(error.errors);
      throw error;
    }
  }

  @ApiOperation({ summary: 'every endpoint (never a secret)' })
  @ApiResponse({ status: 200, type: WebhookListDto })
  @RequireScope('webhooks:manage')
  @Get()
  async list(): Promise<WebhookListDto> {
    return { items: await this.parts.endpoints.list() };
  }

  @ApiOperation({ summary: 'one endpoint' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: WebhookEndpointDto })
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Get(':id')
  async get(@Param('id') id: string): Promise<WebhookEndpointDto> {
    const endpoint = await this.parts.endpoints.get(endpointId(id));
    if (!endpoint) throw notFound();
    return endpoint;
  }

  @ApiOperation({ summary: 'remove an endpoint, its delivery log and its position' })
  @ApiParam(ID)
  @ApiResponse({ status: 204, description: 'removed' })
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await orNotFound(removeWebhook(this.parts, endpointId(id)));
  }

  @ApiOperation({ summary: 'its delivery attempts, the newest first' })
  @ApiParam(ID)
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiResponse({ status: 200, type: DeliveryListDto })
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Get(':id/deliveries')
  async deliveries(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<DeliveryListDto> {
    onlyKnown(query, ['limit']);
    const limit = queryInt(query.limit, 'limit', 100, 1, 1000);
    if (!(await this.parts.endpoints.get(endpointId(id)))) throw notFound();
    return { items: await this.parts.endpoints.deliveries(id, limit) };
  }

  @ApiOperation({ summary: 'a new secret (shown once); the old one signs too for overlapSeconds (default a day)' })
  @ApiParam(ID)
  @ApiBody({ type: RotateSecretDto, required: false })
  @ApiResponse({ status: 200, type: RotatedSecretDto })
  @ApiProblems(400)
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Post(':id/rotate-secret')
  @HttpCode(200)
  async rotate(@Param('id') id: string, @Body() body: unknown): Promise<RotatedSecretDto> {
    const { overlapSeconds = 86_400 } = body === undefined ? {} : objectBody(body ?? {}, ['overlapSeconds']);
    if (!Number.isInteger(overlapSeconds) || (overlapSeconds as number) < 0 || (overlapSeconds as number) > 604_800)
      throw invalid([{ field: 'overlapSeconds', message: 'must be a whole number of seconds from 0 to 604800' }]);
    return orNotFound(rotateWebhookSecret(this.parts, endpointId(id), overlapSeconds as number));
  }

  @ApiOperation({ summary: 'send a signed webhook.test event now; the answer is the attempt (also in its log)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: DeliveryAttemptDto })
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Post(':id/test')
  @HttpCode(200)
  async test(@Param('id') id: string): Promise<DeliveryAttemptDto> {
    return orNotFound(testWebhook(this.parts, endpointId(id)));
  }

  @ApiOperation({ summary: 'send one event of its delivery log again now, with the same webhook-id (logged)' })
  @ApiParam(ID)
  @ApiBody({ type: RedeliverDto })
  @ApiResponse({ status: 200, type: DeliveryAttemptDto })
  @ApiProblems(400)
  @ApiProblem(404, `${NOT_FOUND}, or the event is not in its delivery log`)
  @RequireScope('webhooks:manage')
  @Post(':id/redeliver')
  @HttpCode(200)
  async redeliver(@Param('id') id: string, @Body() body: unknown): Promise<DeliveryAttemptDto> {
    const { eventId } = objectBody(body, ['eventId']);
    if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 100)
      throw invalid([{ field: 'eventId', message: 'must be an event id from its delivery log' }]);
    return orNotFound(redeliverWebhookEvent(this.parts, endpointId(id), eventId));
  }

  @ApiOperation({ summary: 'deliver again from a time or a position: its position is moved there (logged)' })
  @ApiParam(ID)
  @ApiBody({ type: ReplayDto })
  @ApiResponse({ status: 200, type: ReplayedDto })
  @ApiProblems(400)
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Post(':id/replay')
  @HttpCode(200)
  async replay(@Param('id') id: string, @Body() body: unknown): Promise<ReplayedDto> {
    const { from } = objectBody(body, ['from']);
    return { id, ...(await orNotFound(replayWebhook(this.parts, endpointId(id), from))) };
  }

  @ApiOperation({ summary: 'enable a disabled endpoint: deliveries resume from its position, with a new retry window' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: WebhookEndpointDto })
  @ApiProblem(404, NOT_FOUND)
  @RequireScope('webhooks:manage')
  @Post(':id/enable')
  @HttpCode(200)
  async enable(@Param('id') id: string): Promise<WebhookEndpointDto> {
    await orNotFound(enableWebhook(this.parts, endpointId(id)));
    return (await this.parts.endpoints.get(id)) ?? Promise.reject(notFound());
  }
}
