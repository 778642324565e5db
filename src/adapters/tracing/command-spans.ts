import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { noTracing, TRACING, type SpanAttributes, type Tracing } from '../../ports/tracing.port.js';
import { toProblem } from '../../http/problem.filter.js';
import { PROBLEM_BASE } from '../../http/problem.js';

/** What a command names of its school before it runs: the school it is about, or the new school's slug. */
function named(command: object): SpanAttributes {
  const { schoolId, details } = command as { schoolId?: unknown; details?: { slug?: unknown } };
  return {
    ...(typeof schoolId === 'string' ? { 'scs.school.id': schoolId } : {}),
    ...(typeof details?.slug === 'string' ? { 'scs.school.slug': details.slug } : {}),
  };
}

/** What its answer adds: a new school's id (a request, or a retry's new school) and slug. */
function answered(result: unknown, before: SpanAttributes): SpanAttributes {
  const { id, slug } = (result ?? {}) as { id?: unknown; slug?: unknown };
  const attributes: SpanAttributes = typeof slug === 'string' ? { 'scs.school.slug': slug } : {};
  if (typeof id !== 'string' || id === before['scs.school.id']) return attributes;
  return { ...attributes, [before['scs.school.id'] ? 'scs.school.new_id' : 'scs.school.id']: id };
}

/**
 * One span per command sent through the command bus (`command RequestSchool`, `command SuspendSchool`, …),
 * a child of the request's: the school's id and slug, and `scs.command.outcome`: `accepted`, `refused`
 * (an answer of 4xx: the command was decided against, a normal outcome, so the span is not an error; the
 * problem's type in `scs.command.refusal`) or `failed` (an error status). The bus's `execute` is wrapped
 * once, at start-up, and only when traces are on.
 */
@Injectable()
export class CommandSpans implements OnModuleInit {
  constructor(
    private readonly bus: CommandBus,
    @Inject(TRACING) private readonly tracing: Tracing,
  ) {}

  onModuleInit(): void {
    if (this.tracing !== noTracing) traceCommands(this.bus, this.tracing);
  }
}

function traceCommands(bus: CommandBus, tracing: Tracing): void {
  const execute = bus.execute.bind(bus);
  const traced = async (command: object, ...rest: unknown[]): Promise<unknown> => {
    const name = command.constructor.name.replace(/Command$/, '');
    const attributes = { 'scs.command.name': name, ...named(command) };
    const outcome = await tracing.inSpan(`command ${name}`, { attributes }, async (span) => {
      try {
        const result: unknown = await (execute as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        span.set({ 'scs.command.outcome': 'accepted', ...answered(result, attributes) });
        return { result };
      } catch (error) {
        const problem = toProblem(error);
        if (problem.status >= 500) {
          span.set({ 'scs.command.outcome': 'failed' });
          throw error;
        }
        span.set({ 'scs.command.outcome': 'refused', 'scs.command.refusal': problem.type.replace(PROBLEM_BASE, '') });
        return { refused: error };
      }
    });
    if ('refused' in outcome) throw outcome.refused;
    return outcome.result;
  };
  bus.execute = traced as CommandBus['execute'];
}
