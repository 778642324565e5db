import { ApiCredentialsDelivery } from '../../src/ports/credentials-delivery.port.js';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { NO_FAULTS } from '../../src/ports/fault-points.port.js';
import { ProcessManager } from '../../src/process-manager/process-manager.js';
import type { StepPorts } from '../../src/process-manager/step-runner.js';
import { StepError } from '../../src/ports/step-error.js';
import { silentLogger } from '../../src/ports/logger.port.js';
import { noTelemetry, type Telemetry } from '../../src/ports/telemetry.port.js';
import type { Tracing } from '../../src/ports/tracing.port.js';
import { OtelTracing } from '../../src/adapters/tracing/otel-tracing.js';
import { executeSchoolCommand } from '../../src/school/school-stream.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { slugStreamId } from '../../src/domain/school/slug.js';
import { details, NOW } from '../support/school-spec.js';
import {
  eventually,
  FakeClock,
  FakeLocks,
  InMemoryCheckpoints,
  InMemoryEventStore,
  settle,
} from '../support/in-memory.js';

const A = '0a000000-0000-4000-8000-00000000000a';
const B = '0b000000-0000-4000-8000-00000000000b';
const metadata = (id: string, traceparent?: string) => ({
  actor: 'test',
  correlationId: `request-${id}`,
  now: NOW,
  ...(traceparent ? { traceparent } : {}),
});

/** Step ports that record their calls; a school's database creation can be held, and actions made to fail. */
function fakePorts(store: InMemoryEventStore) {
  const calls: string[] = [];
  const held = new Map<string, { promise: Promise<void>; open(): void }>();
  const failures = new Map<string, StepError[]>();
  const call = async (action: string, key: string) => {
    calls.push(`${action} ${key}`);
    await held.get(`${action} ${key}`)?.promise;
    const failure = failures.get(action)?.shift();
    if (failure) throw failure;
  };
  const databases = {
    create: async (name: string) => {
      await call('create_database', name);
      return { method: 'template', alreadyExisted: false, durationMs: 1 };
    },
    migrate: async (name: string) => {
      await call('run_migrations', name);
      return { schemaVersion: '0001', applied: ['0001'], tableCount: 1, durationMs: 1 };
    },
    secure: async () => undefined,
    setOwnerLogin: async (name: string, allowed: boolean) => {
      await call(allowed ? 'login' : 'nologin', name);
      return { terminated: allowed ? 0 : 1, roleExists: true };
    },
    exists: async () => true,
    drop: async (name: string) => {
      await call('drop_database', name);
      return { existed: true, terminatedConnections: 0 };
    },
  };
  const ports = {
    store,
    // One tenant server: placement is the tenant-servers tests' subject, not the process manager's.
    servers: {
      place: async () => 'central',
      placementOf: async () => 'central',
      release: async () => undefined,
      on: () => databases,
      endpoint: () => ({ host: '127.0.0.1', port: 5432 }),
    },
    dns: {
      name: 'fake',
      owner: 'scs-test',
      claim: async (record: { name: string }) => {
        await call('create_dns', record.name);
        return { reference: 'dns-1' };
      },
      release: async (name: string) => {
        await call('delete_dns', name);
        return { existed: true, owned: true, reference: 'dns-2' };
      },
    },
    certificates: {
      name: 'fake',
      issue: async (request: { domain: string }) => {
        await call('issue_certificate', request.domain);
        return {
          reference: 'c-1',
          serialNumber: '01',
          domain: request.domain,
          issuer: 'CN=Fake',
          notBefore: NOW,
          notAfter: NOW,
        };
      },
      revoke: async (request: { domain: string }) => {
        await call('revoke_certificate', request.domain);
        return { revoked: true };
      },
    },
    delivery: {
      name: 'files',
      owner: 'scs-test',
      deliver: async (request: { domain: string }) => {
        await call('deliver_certificate', request.domain);
        return { location: `/tls/${request.domain}`, changed: true };
      },
      withdraw: async (request: { domain: string }) => {
        await call('withdraw_certificate', request.domain);
        return { existed: true, owned: true };
      },
    },
    registry: {
      register: async (entry: { schoolId: string }) => {
        await call('register_school', entry.schoolId);
        return { alreadyRegistered: false };
      },
      unregister: async (id: string) => {
        await call('unregister_school', id);
        return { existed: true };
      },
      updateDetails: async (id: string, written: { name: string }) => {
        await call('update_registry', `${id} ${written.name}`);
        return { updated: true };
      },
    },
    mailer: {
      name: 'fake',
      sendWelcome: async (mail: { to: string }) => {
        await call('send_welcome_email', mail.to);
        return { messageId: 'm' };
      },
    },
    archives: { archive: async () => ({ location: 'nowhere', format: 'none', bytes: 0, sha256: '' }) },
    credentials: { roleFor: () => 'role', passwordFor: () => 'secret', encrypt: () => 'sealed' },
    credentialsDelivery: new ApiCredentialsDelivery(),
    faults: NO_FAULTS,
    dnsTarget: '203.0.113.7',
    suspendedDnsTarget: '203.0.113.99',
  } as unknown as StepPorts;
  const hold = (action: string, key: string) => {
    let open!: () => void;
    held.set(`${action} ${key}`, {
      promise: new Promise<void>((resolve) => {
        open = resolve;
      }),
      open: () => open(),
    });
    return () => held.get(`${action} ${key}`)!.open();
  };
  return { ports, calls, failures, hold };
}

function setup(
  options: {
    concurrency?: number;
    locks?: FakeLocks;
    telemetry?: Telemetry;
    tracing?: Tracing;
    traceparent?: string;
  } = {},
) {
  const store = new InMemoryEventStore();
  const checkpoints = new InMemoryCheckpoints();
  const clock = new FakeClock();
  const fakes = fakePorts(store);
  const manager = new ProcessManager(store, checkpoints, fakes.ports, clock, silentLogger, {
    concurrency: options.concurrency ?? 8,
    policy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 },
    locks: options.locks,
    lockedRetryMs: 1000,
    timers: clock,
    telemetry: options.telemetry,
    tracing: options.tracing,
  });
  const request = async (id: string, slug: string) => {
    const databaseName = `school_${id.replaceAll('-', '')}`;
    const slugStream = slugStreamId(slug);
    await store.append(
      slugStream,
      [{ type: 'SlugClaimed', data: { slug, schoolId: id }, metadata: metadata(id) }],
      'no_stream',
    );
    await executeSchoolCommand(
      store,
      id,
      () => ({
        type: 'RequestSchool',
        data: {
          schoolId: id,
          details: { ...details, slug },
          databaseName,
          subdomain: `${slug}.syncad.in`,
          slugStream,
          slugRevision: 0,
          now: NOW,
        },
      }),
      metadata(id, options.traceparent),
      { clock },
    );
    return databaseName;
  };
  const types = (id: string) => store.types(schoolStreamId(id));
  const lastPosition = () => store.events[store.events.length - 1].position;
  return { store, checkpoints, clock, manager, request, types, lastPosition, ...fakes };
}

type Setup = ReturnType<typeof setup>;

const checkpointAtTheEnd = (t: Setup) =>
  eventually(() => t.checkpoints.saved.get('process-manager')?.commit === t.lastPosition().commit, 'checkpoint at end');

describe('ProcessManager (in-memory store, fake clock)', () => {
  let running: ProcessManager | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  /** School A requested while its lock cannot be had: nothing runs, and the manager looks again in 1 s. */
  async function lockedOutOfA(locks: FakeLocks): Promise<Setup> {
    const t = setup({ locks });
    running = t.manager;
    await t.manager.start();
    await t.request(A, 'alpha');
    await settle();
    expect(t.calls).toEqual([]);
    expect(t.clock.waiting).toEqual([1000]);
    return t;
  }

  it("records as each event's causation the event it reacted to, and keeps the request's correlation id", async () => {
    const t = setup();
    running = t.manager;
    await t.manager.start();
    await t.request(A, 'alpha');
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned');
    const stream = t.store.events.filter((e) => e.streamId === schoolStreamId(A));
    const decided = stream.filter((e) => e.metadata.actor === 'process-manager');
    expect(decided.length).toBeGreaterThan(5);
    for (const event of decided) {
      // Caused by the last event of the stream when the manager decided it (an earlier one of the same stream).
      const earlier = stream.filter(
        (e) => e.revision < event.revision && e.metadata.causationId !== event.metadata.causationId,
      );
      expect(event.metadata.causationId).toBe(earlier.at(-1)?.id);
      expect(event.metadata.correlationId).toBe(`request-${A}`);
    }
  });

  it('reads the stream once per look at a school, not once per action: it goes on from what it appended', async () => {
    const t = setup();
    running = t.manager;
    const read = t.store.readStream.bind(t.store);
    let reads = 0;
    t.store.readStream = async (streamId) => {
      if (streamId === schoolStreamId(A)) reads++;
      return read(streamId);
    };
    await t.manager.start();
    await t.request(A, 'alpha');
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned');
    await checkpointAtTheEnd(t);
    const appends = t.store.events.filter(
      (e) => e.streamId === schoolStreamId(A) && e.metadata.actor === 'process-manager',
    );
    // Once when the request arrives, then never before an action (each is decided on the stream as the
    // last append left it), and once per rerun its own events cause, which finds nothing left. Before,
    // it read the stream again before each action and the conclusion: 8 and more.
    expect(appends.length).toBeGreaterThan(5);
    expect(reads).toBeLessThanOrEqual(3);
  });

  it('brings the registry row along after a details change, retrying a failed update until it succeeds', async () => {
    const t = setup();
    running = t.manager;
    await t.manager.start();
    await t.request(A, 'alpha');
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned');
    await checkpointAtTheEnd(t);
    t.failures.set('update_registry', [StepError.permanent('registry gone for lunch')]);
    const name = 'Alpha High School';
    const change = () => ({ type: 'ChangeDetails' as const, data: { changes: { name }, now: NOW } });
    await executeSchoolCommand(t.store, A, change, metadata(A), { clock: t.clock });
    await settle();
    expect(t.clock.waiting).toHaveLength(1); // a lifecycle action is never given up, even on a permanent error
    t.clock.advance(1000);
    await eventually(() => t.types(A).includes('SchoolRegistryUpdated'), 'registry updated');
    expect(t.calls.filter((c) => c.startsWith('update_registry'))).toEqual([
      `update_registry ${A} ${name}`,
      `update_registry ${A} ${name}`,
    ]);
    expect(t.types(A).slice(-3)).toEqual(['SchoolDetailsChanged', 'StepAttemptFailed', 'SchoolRegistryUpdated']);
    await checkpointAtTheEnd(t);
  });

  it('suspends and resumes a school as lifecycle actions; a resumed school is not counted as provisioned again', async () => {
    const settled: string[] = [];
    const t = setup({ telemetry: { ...noTelemetry, schoolSettled: (status) => void settled.push(status) } });
    running = t.manager;
    await t.manager.start();
    const databaseName = await t.request(A, 'alpha');
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned');
    t.calls.length = 0;
    const now = NOW;
    await executeSchoolCommand(
      t.store,
      A,
      () => ({ type: 'RequestSuspension', data: { reason: 'lapsed', now } }),
      metadata(A),
      { clock: t.clock },
    );
    await eventually(() => t.types(A).includes('SchoolSuspended'), 'suspended');
    // The role first, then the name (claimed again, with the maintenance target).
    expect(t.calls).toEqual([`nologin ${databaseName}`, 'create_dns alpha.syncad.in']);
    const suspended = t.store.events.filter((e) => e.type === 'SchoolSuspended')[0];
    expect(suspended.data).toMatchObject({ reason: 'lapsed', terminatedSessions: 1, dns: { value: '203.0.113.99' } });
    await executeSchoolCommand(t.store, A, () => ({ type: 'RequestResume', data: { now } }), metadata(A), {
      clock: t.clock,
    });
    await eventually(() => t.types(A).includes('SchoolResumed'), 'resumed');
    expect(t.calls.slice(2)).toEqual([`login ${databaseName}`, 'create_dns alpha.syncad.in']);
    await checkpointAtTheEnd(t);
    expect(settled).toEqual(['active']);
  });

  it('works on at most `concurrency` schools at once and queues the others until one is done', async () => {
    const t = setup({ concurrency: 1 });
    running = t.manager;
    await t.manager.start();
    const dbA = await t.request(A, 'alpha');
    const openA = t.hold('create_database', dbA);
    await eventually(() => t.calls.includes(`create_database ${dbA}`), 'A creates its database');
    await t.request(B, 'beta');
    await settle();
    expect(t.manager.status).toMatchObject({ running: 1, queued: 1 });
    expect(t.calls.filter((c) => c.startsWith('create_database'))).toEqual([`create_database ${dbA}`]);

    openA();
    await eventually(
      () => t.types(A).includes('SchoolProvisioned') && t.types(B).includes('SchoolProvisioned'),
      'both provisioned',
    );
    expect(t.types(B).filter((type) => type === 'DatabaseCreated')).toHaveLength(1);
    await checkpointAtTheEnd(t);
    expect(t.manager.status).toEqual({ running: 0, queued: 0, backlog: 0 });
  });

  it('looks at a school again when its events arrive while it is worked on (a rerun, not a runner)', async () => {
    const t = setup();
    running = t.manager;
    await t.manager.start();
    const dbA = await t.request(A, 'alpha');
    const openA = t.hold('create_database', dbA);
    await eventually(() => t.calls.includes(`create_database ${dbA}`), 'A creates its database');
    await executeSchoolCommand(t.store, A, () => ({ type: 'RequestTeardown', data: { now: NOW } }), metadata(A), {
      clock: t.clock,
    });
    await settle();
    expect(t.manager.status).toMatchObject({ running: 1, queued: 0 });

    openA();
    await eventually(() => t.types(A).includes('SchoolDeleted'), 'A deleted');
    // The database created by the step in flight is dropped; nothing runs twice.
    expect(t.types(A).filter((type) => ['DatabaseCreated', 'DatabaseDropped', 'SlugReleased'].includes(type))).toEqual([
      'DatabaseCreated',
      'DatabaseDropped',
      'SlugReleased',
    ]);
    expect(t.calls.filter((c) => c.startsWith('create_database'))).toHaveLength(1);
    await checkpointAtTheEnd(t);
  });

  it("waits on the clock for a retry's time, keeping its checkpoint before the school, then retries", async () => {
    const t = setup();
    running = t.manager;
    t.failures.set('create_database', [StepError.transient('connection reset')]);
    await t.manager.start();
    await t.request(A, 'alpha');
    await eventually(() => t.types(A).includes('StepAttemptFailed'), 'the failed attempt recorded');
    await settle();
    const [wait] = t.clock.waiting;
    expect(wait).toBeGreaterThanOrEqual(500); // half to all of the 1000 ms backoff (jitter)
    expect(wait).toBeLessThanOrEqual(1000);
    expect(t.checkpoints.saved.get('process-manager')).toBeUndefined();

    t.clock.advance(wait - 1);
    await settle();
    expect(t.calls.filter((c) => c.startsWith('create_database'))).toHaveLength(1);

    t.clock.advance(1);
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned after the retry');
    const created = t.store.events.find((e) => e.type === 'DatabaseCreated')!;
    expect(created.data.attempt).toBe(2);
    await checkpointAtTheEnd(t);
  });

  it("runs each step attempt in a span of the request's trace, the provider's calls under it (in-memory exporter)", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    try {
      const [traceId, requestSpan] = ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'];
      const t = setup({ tracing: new OtelTracing(), traceparent: `00-${traceId}-${requestSpan}-01` });
      running = t.manager;
      // The DNS provider as an instrumented client would be: a span of its own for its call.
      const dns = (t.ports as unknown as { dns: { claim: (record: unknown) => Promise<unknown> } }).dns;
      const claim = dns.claim;
      dns.claim = (record) =>
        trace.getTracer('provider').startActiveSpan('dns call', (s) => claim(record).finally(() => s.end()));
      t.failures.set('create_dns', [StepError.transient('SERVFAIL')]);
      await t.manager.start();
      await t.request(A, 'alpha');
      await eventually(() => t.types(A).includes('StepAttemptFailed'), 'the failed attempt recorded');
      await settle();
      t.clock.advance(t.clock.waiting[0]!);
      await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned after the retry');

      const spans = exporter.getFinishedSpans();
      const steps = spans.filter((s) => s.name.startsWith('step '));
      expect(steps.map((s) => [s.name, s.attributes['scs.step.attempt'], s.attributes['scs.step.outcome']])).toEqual([
        ['step create_database', 1, 'succeeded'],
        ['step run_migrations', 1, 'succeeded'],
        ['step create_dns', 1, 'failed'],
        ['step create_dns', 2, 'succeeded'],
        ['step issue_certificate', 1, 'succeeded'],
        ['step deliver_certificate', 1, 'succeeded'],
        ['step register_school', 1, 'succeeded'],
        ['step send_welcome_email', 1, 'succeeded'],
      ]);
      for (const step of steps) {
        expect(step.spanContext().traceId).toBe(traceId);
        expect(step.parentSpanContext?.spanId).toBe(requestSpan);
        expect(step.attributes).toMatchObject({
          'scs.school.id': A,
          'scs.school.slug': 'alpha',
          'scs.step.kind': 'step',
        });
      }
      expect(steps[2]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'SERVFAIL' });
      expect(steps[3]!.status.code).not.toBe(SpanStatusCode.ERROR);
      const calls = spans.filter((s) => s.name === 'dns call');
      expect(calls.map((c) => c.parentSpanContext?.spanId)).toEqual([
        steps[2]!.spanContext().spanId,
        steps[3]!.spanContext().spanId,
      ]);
      expect(calls.every((c) => c.spanContext().traceId === traceId)).toBe(true);
    } finally {
      await provider.shutdown();
      trace.disable();
    }
  });

  it('leaves a school another replica holds, looks again a second later, and takes it over once free', async () => {
    const locks = new FakeLocks();
    locks.held.add(`school:${A}`);
    const t = await lockedOutOfA(locks);

    t.clock.advance(1000);
    await settle();
    expect(t.calls).toEqual([]);
    expect(t.checkpoints.saved.get('process-manager')).toBeUndefined();

    locks.held.delete(`school:${A}`); // the other replica died or finished
    t.clock.advance(1000);
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned by this replica');
    await checkpointAtTheEnd(t);
    expect(locks.held.size).toBe(0);
  });

  it('treats a lock it cannot ask for as held, and an unreadable store as a reason to look again in 1 s', async () => {
    const locks = new FakeLocks();
    locks.broken = true;
    const t = await lockedOutOfA(locks);

    locks.broken = false;
    t.store.failReads = 1;
    t.clock.advance(1000);
    await settle();
    expect(t.calls).toEqual([]);
    expect(t.clock.waiting).toEqual([1000]);

    t.clock.advance(1000);
    await eventually(() => t.types(A).includes('SchoolProvisioned'), 'provisioned once the store answers');
  });
});
