import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/databases.js';
import { scrape } from '../support/prometheus.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';
import { WebhookReceiver, type Received } from '../support/webhook-receiver.js';

const CREDENTIALS_KEY = 'ab'.repeat(32);
const ALL = [
  'school.requested',
  'school.provisioned',
  'school.failed',
  'school.deleted',
  'school.schema_upgraded',
  'school.moved',
  'school.credentials_rotated',
  'school.certificate_renewed',
];
const FAST_RETRIES = { SCS_WEBHOOK_RETRY_BASE_MS: '100', SCS_WEBHOOK_RETRY_MAX_MS: '400' };

describe('webhooks: signed integration events, delivered at least once, in order per school', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;
  const flaky = new WebhookReceiver();
  const failing = new WebhookReceiver();
  const gone = new WebhookReceiver();
  const urls: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let validate: (event: any) => string | undefined;

  /** A new SCS on the suite's database (the previous one stopped first, should a test have failed before). */
  const start = async (env: Record<string, string> = {}) => {
    await scs?.stop();
    return startScs({ databaseUrl: central.url, env: { SCS_CREDENTIALS_KEY: CREDENTIALS_KEY, ...env } });
  };
  const add = (url: string, eventTypes: string[]) =>
    scs!.request('/webhooks', { method: 'POST', json: { url, eventTypes } });

  const disabled = (id: string) =>
    waitFor(
      `endpoint ${id} disabled`,
      async () => {
        const endpoint = (await scs!.request(`/webhooks/${id}`)).body;
        return endpoint.disabledAt ? endpoint : undefined;
      },
      20_000,
    );

  beforeAll(async () => {
    central = await freshDatabase('scs_webhooks');
    urls.flaky = await flaky.start();
    urls.failing = await failing.start();
    urls.gone = await gone.start();
    // Every event's first two attempts get a 500, the third a 200.
    flaky.answer = (_, attempt) => (attempt <= 2 ? 500 : 200);
    failing.answer = () => 500;
    gone.answer = () => 410;
  });
  afterAll(async () => {
    await scs?.stop();
    await Promise.all([flaky.stop(), failing.stop(), gone.stop()]);
    await central?.drop();
  });

  it('refuses private, loopback and link-local destinations unless SCS_WEBHOOK_ALLOW_PRIVATE, and unknown types', async () => {
    scs = await start();
    for (const url of [
      urls.flaky,
      'http://localhost:9/x',
      'http://169.254.169.254/latest',
      'http://[::1]:9/',
      'http://10.1.2.3/',
    ]) {
      const res = await add(url, ['school.requested']);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'url', message: expect.stringMatching(/private, loopback or link-local.*SCS_WEBHOOK_ALLOW_PRIVATE/) },
      ]);
    }
    const unknown = await add('https://example.com/x', ['school.requested', 'SchoolRequested']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'eventTypes', message: 'has unknown types: SchoolRequested' }]);
    expect((await scs.request('/webhooks')).body).toEqual({ items: [] });
    // The schemas the document gives, to check every delivered event against below.
    const document = (await scs.request('/openapi.json', { key: null })).body;
    const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
    (addFormats as unknown as typeof addFormats.default)(ajv);
    ajv.addSchema({ components: document.components }, 'scs');
    validate = (event) => {
      const check = ajv.getSchema(`scs#/components/schemas/IntegrationEvent.${event.type}`);
      if (!check) return `no schema for ${event.type}`;
      return check(event) ? undefined : ajv.errorsText(check.errors);
    };
    await scs.stop();
  }, 60_000);

  it('retries a failing receiver until it answers 2xx; 410 disables at once; always 500 disables after the window', async () => {
    scs = await start({
      SCS_WEBHOOK_ALLOW_PRIVATE: 'true',
      SCS_WEBHOOK_RETRY_FOR_S: '3',
      SCS_FAULTS: 'create_dns:fail',
      ...FAST_RETRIES,
    });
    const added = await add(urls.flaky, ALL);
    expect(added.status).toBe(201);
    expect(added.body.secret).toMatch(/^whsec_/);
    ids.flaky = added.body.id;
    flaky.secret = added.body.secret;
    const listed = (await scs.request('/webhooks')).body.items;
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(added.body.secret);
    const failingAdded = (await add(urls.failing, ['school.requested'])).body;
    ids.failing = failingAdded.id;
    failing.secret = failingAdded.secret;
    ids.gone = (await add(urls.gone, ['school.requested'])).body.id;

    const schools: string[] = [];
    for (let i = 0; i < 2; i++)
      schools.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    for (const id of schools) await waitForStatus(scs, id, ['failed']);

    // The flaky receiver gets each school's requested and failed events, each on its third attempt.
    await waitFor(
      'four events at the flaky receiver',
      async () => (flaky.delivered().length === 4 ? true : undefined),
      30_000,
    );
    for (const id of schools) {
      const mine = flaky.delivered().filter((r) => r.event.subject === id);
      expect(mine.map((r) => r.event.type)).toEqual(['school.requested', 'school.failed']);
      expect(mine[1].event.data).toMatchObject({ id, status: 'failed', failedStep: 'create_dns' });
    }
    for (const r of flaky.received) {
      expect(r.verified).toBe(true);
      expect(validate(r.event)).toBeUndefined();
      expect(r.headers['webhook-id']).toBe(r.event.id);
    }
    const log = (await scs.request(`/webhooks/${ids.flaky}/deliveries`)).body.items.reverse();
    const first = log.filter((a: { eventId: string }) => a.eventId === flaky.delivered()[0].id);
    expect(first.map((a: any) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'delivered', 200],
    ]);

    // 410: disabled at its first answer; always 500: disabled once the 3 s window ran out.
    const gone410 = await disabled(ids.gone);
    expect(gone410.disabledReason).toMatch(/410 Gone/);
    expect(gone.received).toHaveLength(1);
    const dead = await disabled(ids.failing);
    expect(dead.disabledReason).toMatch(/not delivered within 3 s \(last: HTTP 500\)/);
    expect(failing.received.length).toBeGreaterThan(1);
    expect(failing.received.every((r) => r.verified)).toBe(true);

    const metrics = await scrape(`${scs.url}/metrics`);
    expect(metrics.value('scs_webhook_deliveries_total', { endpoint: ids.flaky, outcome: 'delivered' })).toBe(4);
    expect(metrics.value('scs_webhook_deliveries_total', { endpoint: ids.gone, outcome: 'gone' })).toBe(1);
    await scs.stop();
  }, 90_000);

  it('SIGKILLed mid-delivery and restarted: nothing lost, a redelivery carries the same webhook-id', async () => {
    scs = await start({ SCS_WEBHOOK_ALLOW_PRIVATE: 'true', ...FAST_RETRIES });
    flaky.answer = () => 200;
    flaky.delayMs = 150;
    const before = flaky.received.length;
    const schools: string[] = [];
    for (let i = 0; i < 4; i++)
      schools.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body.id);
    await waitFor(
      'two deliveries before the kill',
      async () => (flaky.received.length >= before + 2 ? true : undefined),
      30_000,
      10,
    );
    scs.child.kill('SIGKILL');
    await scs.exited;
    scs = await start({ SCS_WEBHOOK_ALLOW_PRIVATE: 'true', ...FAST_RETRIES });
    for (const id of schools)
      await waitForStatus(scs, id, ['active']).catch((error) => {
        console.log(scs!.logs.join('').slice(-6000));
        throw error;
      });
    const mine = (id: string) => flaky.delivered().filter((r: Received) => r.event.subject === id);
    await waitFor(
      'two events of every school',
      async () => (schools.every((id) => mine(id).length === 2) ? true : undefined),
      30_000,
    );
    for (const id of schools) {
      expect(mine(id).map((r) => r.event.type)).toEqual(['school.requested', 'school.provisioned']);
      expect(mine(id)[1].event.data).toMatchObject({ id, status: 'active', server: 'central' });
    }
    // Every copy of one webhook-id is the same event, byte for byte.
    for (const r of flaky.received) {
      expect(r.body).toBe(flaky.received.find((x) => x.id === r.id)!.body);
      expect(r.verified).toBe(true);
      expect(validate(r.event)).toBeUndefined();
    }
  }, 120_000);

  it('a rotated secret: both signatures during the overlap, each verifies with its own secret', async () => {
    const oldSecret = flaky.secret!;
    const rotated = await scs!.request(`/webhooks/${ids.flaky}/rotate-secret`, {
      method: 'POST',
      json: { overlapSeconds: 600 },
    });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret;
    flaky.secret = newSecret;
    // The worker reads an endpoint's secrets again when they are a second old: on a quick machine this
    // school's deliveries could otherwise all come within a second of the rotation, signed as before it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const school = (await scs!.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    await waitForStatus(scs!, school, ['active']);
    expect((await scs!.request(`/school/${school}`, { method: 'DELETE' })).status).toBe(202);
    const deleted = await waitFor(
      'the school.deleted delivery',
      async () => flaky.delivered().find((r) => r.event.subject === school && r.event.type === 'school.deleted'),
      30_000,
    );
    expect(deleted.event.data).toMatchObject({ id: school, status: 'deleted' });
    expect(String(deleted.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const headers = deleted.headers as Record<string, string>;
    expect(() => new Webhook(newSecret).verify(deleted.body, headers)).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(deleted.body, headers)).not.toThrow();
    const stranger = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => new Webhook(stranger).verify(deleted.body, headers)).toThrow();
  }, 60_000);

  it('scs webhooks test / list / remove', async () => {
    const test = await runCli(central.url, ['webhooks', 'test', ids.flaky, '--json'], {
      SCS_CREDENTIALS_KEY: CREDENTIALS_KEY,
      SCS_WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(test.code).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ eventType: 'webhook.test', outcome: 'delivered', httpStatus: 200 });
    const probe = flaky.received[flaky.received.length - 1];
    expect(probe.event).toMatchObject({ type: 'webhook.test', data: { endpointId: ids.flaky } });
    expect(probe.verified).toBe(true);
    const list = await runCli(central.url, ['webhooks', 'list', '--json'], { SCS_CREDENTIALS_KEY: CREDENTIALS_KEY });
    expect(
      JSON.parse(list.stdout)
        .items.map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual([ids.flaky, ids.failing, ids.gone].sort());
    const refused = await runCli(central.url, ['webhooks', 'remove', ids.gone], {
      SCS_CREDENTIALS_KEY: CREDENTIALS_KEY,
    });
    expect(refused.code).toBe(2);
    const removed = await runCli(central.url, ['webhooks', 'remove', ids.gone, '--yes'], {
      SCS_CREDENTIALS_KEY: CREDENTIALS_KEY,
    });
    expect(removed.code).toBe(0);
    expect((await scs!.request(`/webhooks/${ids.gone}`)).status).toBe(404);
    expect((await scs!.request(`/webhooks/${ids.gone}`, { method: 'DELETE' })).status).toBe(404);
  }, 60_000);
});
