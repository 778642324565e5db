import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { context, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { noTracing, TRACING, type Tracing } from '../../src/ports/tracing.port.js';
import { DomainError } from '../../src/domain/school/errors.js';
import { CommandSpans } from '../../src/adapters/tracing/command-spans.js';
import { OtelTracing } from '../../src/adapters/tracing/otel-tracing.js';

const SCHOOL = '0b7f3a52-1c1e-4f0a-9d38-5a4f7d2c9e11';

/** A new school's request: its slug known before, its id only from the answer. */
class RequestSchoolCommand extends Command<{ id: string; slug: string }> {
  constructor(readonly details: { slug: string }) {
    super();
  }
}
/** A request about one school, whose handler learns the slug from the stream (and annotates it). */
class SuspendSchoolCommand extends Command<{ id: string }> {
  constructor(
    readonly schoolId: string,
    readonly outcome: 'accepted' | 'not-found' | 'broken',
  ) {
    super();
  }
}

@CommandHandler(RequestSchoolCommand)
class RequestSchoolHandler implements ICommandHandler<RequestSchoolCommand> {
  async execute(command: RequestSchoolCommand) {
    return { id: SCHOOL, slug: command.details.slug };
  }
}

@CommandHandler(SuspendSchoolCommand)
class SuspendSchoolHandler implements ICommandHandler<SuspendSchoolCommand> {
  constructor(@Inject(TRACING) private readonly tracing: Tracing) {}

  async execute(command: SuspendSchoolCommand) {
    if (command.outcome === 'not-found') throw new DomainError('school_not_found', `no school ${command.schoolId}`);
    if (command.outcome === 'broken') throw new Error('the event store said something odd');
    this.tracing.annotate({ 'scs.school.slug': 'alpha' });
    return { id: command.schoolId };
  }
}

async function busWith(tracing: Tracing): Promise<{ bus: CommandBus; module: TestingModule }> {
  const module = await Test.createTestingModule({
    imports: [CqrsModule.forRoot()],
    providers: [RequestSchoolHandler, SuspendSchoolHandler, CommandSpans, { provide: TRACING, useValue: tracing }],
  }).compile();
  await module.init();
  return { bus: module.get(CommandBus), module };
}

describe('a span per command (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
  });

  it("runs each command in a span of the request's, with its school, slug and outcome", async () => {
    const { bus, module } = await busWith(new OtelTracing());
    const request = trace.getTracer('test').startSpan('POST /school');
    const run = <T>(work: () => Promise<T>) => context.with(trace.setSpan(ROOT_CONTEXT, request), work);

    await expect(run(() => bus.execute(new RequestSchoolCommand({ slug: 'alpha' })))).resolves.toEqual({
      id: SCHOOL,
      slug: 'alpha',
    });
    await run(() => bus.execute(new SuspendSchoolCommand(SCHOOL, 'accepted')));
    await expect(run(() => bus.execute(new SuspendSchoolCommand(SCHOOL, 'not-found')))).rejects.toThrow(DomainError);
    await expect(run(() => bus.execute(new SuspendSchoolCommand(SCHOOL, 'broken')))).rejects.toThrow('odd');
    request.end();
    await module.close();

    const spans = exporter.getFinishedSpans().filter((s) => s.name.startsWith('command '));
    expect(spans.map((s) => [s.name, s.attributes, s.status.code])).toEqual([
      [
        'command RequestSchool',
        {
          'scs.command.name': 'RequestSchool',
          'scs.school.slug': 'alpha',
          'scs.school.id': SCHOOL,
          'scs.command.outcome': 'accepted',
        },
        SpanStatusCode.UNSET,
      ],
      [
        'command SuspendSchool',
        {
          'scs.command.name': 'SuspendSchool',
          'scs.school.id': SCHOOL,
          'scs.school.slug': 'alpha',
          'scs.command.outcome': 'accepted',
        },
        SpanStatusCode.UNSET,
      ],
      // Refused (a 4xx): the command was decided against, which is not the service failing.
      [
        'command SuspendSchool',
        {
          'scs.command.name': 'SuspendSchool',
          'scs.school.id': SCHOOL,
          'scs.command.outcome': 'refused',
          'scs.command.refusal': 'school-not-found',
        },
        SpanStatusCode.UNSET,
      ],
      [
        'command SuspendSchool',
        { 'scs.command.name': 'SuspendSchool', 'scs.school.id': SCHOOL, 'scs.command.outcome': 'failed' },
        SpanStatusCode.ERROR,
      ],
    ]);
    for (const span of spans) {
      expect(span.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
    }
  });

  it('leaves the bus as it is when traces are off', async () => {
    const { bus, module } = await busWith(noTracing);
    const execute = CommandBus.prototype.execute;
    expect(bus.execute).toBe(execute);
    await expect(bus.execute(new RequestSchoolCommand({ slug: 'beta' }))).resolves.toEqual({
      id: SCHOOL,
      slug: 'beta',
    });
    await module.close();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
