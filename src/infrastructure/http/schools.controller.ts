import { Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Req, Res, BadRequestException, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '../../application/ports/event-store.port.js';
import { RequestSchoolCommand } from '../../application/request-school/request-school.command.js';
import { RequestTeardownCommand } from '../../application/request-teardown/request-teardown.command.js';
import { schoolHistory } from '../../application/school/school-history.js';
import type { SchoolDetails } from '../../domain/school/details.js';
import { isSchoolStatus, SCHOOL_STATUSES } from '../../domain/school/state.js';
import { SchoolQueries } from '../../projections/school-read-model/school-queries.js';
import { CreateSchoolPipe } from './create-school.dto.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { problem } from './problem.js';
import { originOf, type ScsRequest } from './request-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function schoolId(raw: string): string {
  // Ids are generated UUIDs; anything else cannot name a school (and never reaches a query).
  if (!UUID.test(raw)) throw new NotFoundException(problem(404, 'school-not-found', 'School not found', 'no school has this id'));
  return raw;
}

function notFound(): NotFoundException {
  return new NotFoundException(problem(404, 'school-not-found', 'School not found', 'no school has this id'));
}

export function queryText(value: unknown, name: string, max = 100): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new BadRequestException(problem(400, 'validation', 'Invalid query', `${name} must be a single value of at most ${max} characters`, { errors: [{ field: name, message: 'is invalid' }] }));
  }
  return value;
}

export function queryInt(value: unknown, name: string, fallback: number, min: number, max: number): number {
  const text = queryText(value, name, 12);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < min || n > max) {
    throw new BadRequestException(problem(400, 'validation', 'Invalid query', `${name} must be a whole number from ${min} to ${max}`, { errors: [{ field: name, message: `must be from ${min} to ${max}` }] }));
  }
  return n;
}

@Controller()
export class SchoolsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(SchoolQueries) private readonly queries: SchoolQueries,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('school')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async create(@Body(CreateSchoolPipe) details: SchoolDetails, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    const command = new RequestSchoolCommand(details, req.actor ?? 'anonymous', req.correlationId!, req.traceparent, originOf(req));
    const school = await this.commands.execute(command);
    res.setHeader('Location', `/school/${school.id}`);
    return school;
  }

  @Get('school/:id')
  async get(@Param('id') id: string) {
    const school = await this.queries.get(schoolId(id));
    if (!school) throw notFound();
    return school;
  }

  @Delete('school/:id')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  async remove(@Param('id') id: string, @Req() req: ScsRequest, @Res({ passthrough: true }) res: Response) {
    const actor = req.actor ?? 'anonymous';
    const command = new RequestTeardownCommand(schoolId(id), actor, req.correlationId!, req.traceparent, originOf(req));
    const result = await this.commands.execute(command);
    res.setHeader('Location', `/school/${id}`);
    return result;
  }

  @Get('school/:id/history')
  async history(@Param('id') id: string, @Query('asOf') asOfRaw: unknown) {
    const sid = schoolId(id);
    const asOfText = queryText(asOfRaw, 'asOf', 40);
    if (asOfText === undefined) {
      const events = await schoolHistory(this.store, sid);
      if (events.length === 0) throw notFound();
      return { id: sid, events };
    }
    const asOf = new Date(asOfText);
    if (!/^\d{4}-\d{2}-\d{2}/.test(asOfText) || Number.isNaN(asOf.getTime())) {
      throw new BadRequestException(problem(400, 'validation', 'Invalid query', 'asOf must be an ISO 8601 time such as 2026-11-24T10:00:00Z', { errors: [{ field: 'asOf', message: 'must be an ISO 8601 time' }] }));
    }
    const result = await this.queries.asOf(sid, asOf);
    if (!result.exists) throw notFound();
    return { id: sid, asOf: asOf.toISOString(), eventCount: result.eventCount, state: result.view ?? null };
  }

  @Get('schools')
  async list(@Query() query: Record<string, unknown>) {
    const known = new Set(['status', 'district', 'board', 'schemaVersion', 'limit', 'offset']);
    const unknown = Object.keys(query).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new BadRequestException(problem(400, 'validation', 'Invalid query', `unknown parameter(s): ${unknown.slice(0, 5).map((k) => k.slice(0, 40)).join(', ')}`, { errors: unknown.slice(0, 5).map((k) => ({ field: k.slice(0, 40), message: 'is not a known parameter' })) }));
    }
    const status = queryText(query.status, 'status', 20);
    if (status !== undefined && !isSchoolStatus(status)) {
      throw new BadRequestException(problem(400, 'validation', 'Invalid query', `status must be one of ${SCHOOL_STATUSES.join(', ')}`, { errors: [{ field: 'status', message: 'is not a status' }] }));
    }
    const schemaVersion = queryText(query.schemaVersion, 'schemaVersion', 20);
    if (schemaVersion !== undefined && !/^[0-9]{4}$/.test(schemaVersion)) {
      const detail = 'schemaVersion must be a migration version of four digits such as 0005';
      const errors = [{ field: 'schemaVersion', message: 'is not a schema version' }];
      throw new BadRequestException(problem(400, 'validation', 'Invalid query', detail, { errors }));
    }
    return this.queries.list({
      status,
      schemaVersion,
      district: queryText(query.district, 'district'),
      board: queryText(query.board, 'board'),
      limit: queryInt(query.limit, 'limit', 50, 1, 500),
      offset: queryInt(query.offset, 'offset', 0, 0, 10_000_000),
    });
  }
}
