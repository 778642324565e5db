import { STEP_ORDER } from '../../src/domain/school/steps.js';
import { freshDatabase } from '../support/databases.js';
import { startFakeAws } from '../support/fake-aws.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const SERVER = 2;
/** The last step: its span ends the provisioning's trace. */
const LAST = 'step send_welcome_email';
const CLIENT = 3;
/** The steps the process manager runs (the request itself records `reserve_slug`). */
const STEPS = STEP_ORDER.map((step) => step.name).filter((step) => step !== 'reserve_slug');
/** The caller's own trace: SCS's spans must join it. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const isPg = (span: ReceivedSpan) => span.kind === CLIENT && span.attributes['db.system.name'] === 'postgresql';
const isAws = (span: ReceivedSpan) => span.kind === CLIENT && span.attributes['rpc.system'] === 'aws-api';
/** An AWS call as the instrumentation names it: service and operation. */
const awsCall = (span: ReceivedSpan) => `${span.attributes['rpc.service']} ${span.attributes['rpc.method']}`;
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId);
const descendantsOf = (spans: ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] =>
  childrenOf(spans, parent).flatMap((child) => [child, ...descendantsOf(spans, child)]);

/** Waits until the receiver holds the span `name` of the school, then gives every span of its trace. */
async function traceOf(receiver: OtlpReceiver, schoolId: string, name: string): Promise<ReceivedSpan[]> {
  const last = await waitFor(`the span ${name} of school ${schoolId}`, async () =>
    receiver.spans.find((s) => s.name === name && s.attributes['scs.school.id'] === schoolId),
  );
  return receiver.spans.filter((s) => s.traceId === last.traceId);
}

describe('traces (OpenTelemetry, exported over OTLP/HTTP to a receiver on loopback)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let receiver: OtlpReceiver;
  let scs: ScsProcess | undefined;

  beforeAll(async () => {
    central = await freshDatabase('scs_tracing');
    receiver = await OtlpReceiver.start();
  });
  afterEach(async () => {
    await scs?.stop();
    scs = undefined;
  });
  afterAll(async () => {
    await receiver?.stop();
    await central?.drop();
  });

  it("puts one school's POST, each step attempt and their PostgreSQL calls in the caller's trace", async () => {
    scs = await startScs({ databaseUrl: central.url, env: receiver.env });
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    const created = await scs.request('/school', { method: 'POST', json: schoolBody(), headers: { traceparent } });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    expect((await waitForStatus(scs, id, ['active', 'failed'])).status).toBe('active');

    const spans = await traceOf(receiver, id, LAST);
    expect(spans.every((s) => s.traceId === CALLER_TRACE && s.service === 'scs')).toBe(true);

    const post = spans.find((s) => s.kind === SERVER && s.attributes['http.route'] === '/school')!;
    expect(post).toMatchObject({ name: 'POST /school', parentSpanId: CALLER_SPAN });
    expect(descendantsOf(spans, post).some(isPg)).toBe(true); // the slug claim and the school's first events
    // The command the request sent has its span under the request's, the slug claim and the appends under it.
    const command = spans.find((s) => s.name === 'command RequestSchool')!;
    expect(command.attributes).toMatchObject({
      'scs.school.id': id,
      'scs.school.slug': created.body.slug,
      'scs.command.outcome': 'accepted',
    });
    expect(descendantsOf(spans, post).map((s) => s.spanId)).toContain(command.spanId);
    expect(descendantsOf(spans, command).some(isPg)).toBe(true);
    // The events keep the request's span as their trace context: what the process manager does continues it.
    const history = await scs.request(`/school/${id}/history`);
    expect(history.body.events[0].metadata.traceparent).toBe(`00-${CALLER_TRACE}-${post.spanId}-01`);

    for (const step of STEPS) {
      const attempt = spans.find((s) => s.name === `step ${step}`)!;
      expect(attempt).toMatchObject({
        parentSpanId: post.spanId,
        attributes: expect.objectContaining({
          'scs.school.id': id,
          'scs.step.name': step,
          'scs.step.attempt': 1,
          'scs.step.outcome': 'succeeded',
        }),
      });
      expect(childrenOf(spans, attempt).filter(isPg).length).toBeGreaterThan(0);
    }

    // Log lines written inside a span carry its trace_id and span_id: the step lines their attempt's span.
    const lines = scs.logs
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const stepLines = lines.filter((l) => l.schoolId === id && typeof l.step === 'string' && l.trace_id);
    expect(new Set(stepLines.map((l) => l.step))).toEqual(new Set(STEPS));
    for (const line of stepLines) {
      const attempts = spans.filter((s) => s.name === `step ${line.step as string}`).map((s) => s.spanId);
      expect([line.msg, line.trace_id, attempts]).toEqual([
        line.msg,
        CALLER_TRACE,
        expect.arrayContaining([line.span_id]),
      ]);
    }
  });

  it('traces no /health, /ready or /metrics probe', async () => {
    scs = await startScs({ databaseUrl: central.url, env: receiver.env });
    for (const path of ['/health', '/ready', '/metrics']) expect((await scs.request(path)).status).toBe(200);
    const after = await scs.request('/schools?limit=1');
    expect(after.status).toBe(200);
    await waitFor('the span of GET /schools', async () =>
      receiver.spans.find((s) => s.kind === SERVER && s.name === 'GET /schools'),
    );
    const probes = receiver.spans.filter(
      (s) => s.kind === SERVER && /^\/(health|ready|metrics)$/.test(String(s.attributes['url.path'])),
    );
    expect(probes).toEqual([]);
  });

  it('continues the trace after a restart mid-provisioning: the steps run by the new process join the request', async () => {
    scs = await startScs({ databaseUrl: central.url, env: { ...receiver.env, SCS_FAULTS: 'create_dns:crash' } });
    const dataDir = scs.dataDir;
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    const created = await scs.request('/school', { method: 'POST', json: schoolBody(), headers: { traceparent } });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    expect((await scs.exited).signal).toBe('SIGKILL'); // after create_dns's side effect, before its event
    const killed = new Set(receiver.spans.map((s) => s.spanId));

    scs = await startScs({
      databaseUrl: central.url,
      dataDir,
      env: { ...receiver.env, SCS_FAULTS: 'create_dns:crash' },
    });
    expect((await waitForStatus(scs, id, ['active', 'failed'])).status).toBe('active');
    const requestSpan = (await scs.request(`/school/${id}/history`)).body.events[0].metadata.traceparent.split('-')[2];
    const spans = await traceOf(receiver, id, LAST);
    const resumed = spans.filter((s) => s.name.startsWith('step ') && !killed.has(s.spanId));
    expect(resumed.map((s) => s.name)).toEqual(
      expect.arrayContaining(['step create_dns', 'step issue_certificate', 'step register_school', LAST]),
    );
    for (const step of resumed) expect(step).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: requestSpan });
  });

  it("puts the AWS SDK's calls (Route 53, SES) under the step that made them, as the real SDK makes them", async () => {
    // aws-sdk-client-mock replaces `send`, which the instrumentation wraps: here the SDK runs whole, against
    // Route 53 and SESv2 stand-ins on loopback.
    const aws = await startFakeAws();
    try {
      scs = await startScs({ databaseUrl: central.url, env: { ...receiver.env, ...aws.env } });
      const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      expect((await waitForStatus(scs, id, ['active', 'failed'])).status).toBe('active');

      const spans = await traceOf(receiver, id, LAST);
      const step = (name: string) => spans.find((s) => s.name === `step ${name}`)!;
      const callsUnder = (parent: ReceivedSpan) => childrenOf(spans, parent).filter(isAws).map(awsCall).sort();
      expect(callsUnder(step('create_dns'))).toEqual([
        'Route53 ChangeResourceRecordSets', // the record and its ownership mark, one change batch
        'Route53 ListResourceRecordSets', // what is at the name already
      ]);
      expect(callsUnder(step('send_welcome_email'))).toEqual(['SESv2 SendEmail']);
      for (const call of spans.filter(isAws)) {
        expect(call.attributes).toMatchObject({ 'cloud.region': 'ap-south-1', 'http.response.status_code': 200 });
      }
      // The request checks the name is free before it records the school: that listing is under its span
      // (the steps are under it too, as its children: their calls are left out here).
      const post = spans.find((s) => s.kind === SERVER && s.attributes['http.route'] === '/school')!;
      const inSteps = new Set(
        spans.filter((s) => s.name.startsWith('step ')).flatMap((s) => descendantsOf(spans, s).map((d) => d.spanId)),
      );
      const requestCalls = descendantsOf(spans, post).filter((s) => isAws(s) && !inSteps.has(s.spanId));
      expect(requestCalls.map(awsCall)).toEqual(['Route53 ListResourceRecordSets']);
      // The stand-in saw the same calls: none is missing from the trace (the reconciler's would be in others).
      const traced = spans.filter(isAws).length;
      expect(aws.calls.filter((c) => !c.startsWith('unknown')).length).toBeGreaterThanOrEqual(traced);
      expect(aws.calls.filter((c) => c.startsWith('unknown'))).toEqual([]);
    } finally {
      await scs?.stop();
      scs = undefined;
      await aws.stop();
    }
  });
});
