/**
 * Webhook delivery through a real SCS process to a real receiver on loopback (verifying each signature):
 * the latency from an event's recording (its row's `recorded_at` in the central database) to the receiver's
 * 2xx during a burst of schools, and the events a second
 * one endpoint takes when it is replayed from the first event (a backlog: one event after another).
 * Run alone (`node dist/bench/webhooks.js`, BENCH_WEBHOOK_SCHOOLS, default 100) or from bench/main.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { schoolBody, startScs, type ScsProcess } from '../test/support/scs-process.js';
import { WebhookReceiver } from '../test/support/webhook-receiver.js';
import { formatTable, row, type Row } from './support/report.js';
import { BenchServer, DROPS_AT_ONCE } from './support/server.js';
import { mapLimit, percentile, sleep } from './support/stats.js';

const TYPES = ['school.requested', 'school.provisioned'];
/** What the bench's SCS needs for webhooks to a receiver on loopback. */
export const WEBHOOK_ENV = { SCS_WEBHOOK_ALLOW_PRIVATE: 'true', SCS_CREDENTIALS_KEY: 'ef'.repeat(32) };

async function addEndpoint(scs: ScsProcess, receiver: WebhookReceiver, url: string): Promise<string> {
  const res = await scs.request('/webhooks', { method: 'POST', json: { url, eventTypes: TYPES } });
  if (res.status !== 201) throw new Error(`POST /webhooks: ${res.status} ${JSON.stringify(res.body)}`);
  receiver.secret = res.body.secret;
  return res.body.id as string;
}

async function until(what: string, done: () => boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`webhook bench: ${what} not reached in ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * When each event was recorded (`recorded_at`: the start of the append's transaction, a few ms before its
 * commit, by the database's clock on this machine), by integration event id (the domain event's id).
 */
async function recordedAt(centralUrl: string, ids: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: centralUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; at: Date }>(
      'SELECT event_id::text AS id, recorded_at AS at FROM scs_events WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.at.getTime()]));
  } finally {
    await client.end();
  }
}

/**
 * p50/p99 recorded → 2xx during a burst of `schools` POSTed at once; events/s of one endpoint's backlog.
 * Latency counts from the event's recording, as the goal and `scs_webhook_delivery_latency_seconds`
 * do; the CloudEvents `time` is when the command decided, before its appends (a slug claim, the DNS check,
 * waits for the pool during the burst), so the figures from it are given too (detail), not as the goal.
 */
export async function webhookRows(scs: ScsProcess, rows: Row[], schools: number, centralUrl: string): Promise<void> {
  const live = new WebhookReceiver();
  const backlog = new WebhookReceiver();
  try {
    await addEndpoint(scs, live, await live.start());
    await sleep(1500); // its worker started (the dispatcher looks every second), as an endpoint in service
    await Promise.all(
      Array.from({ length: schools }, async () => {
        const res = await scs.request('/school', { method: 'POST', json: schoolBody() });
        if (res.status !== 202) throw new Error(`POST /school: ${res.status}`);
      }),
    );
    await until('every event of the burst delivered', () => live.delivered().length >= schools * 2);
    if (live.received.some((r) => !r.verified)) throw new Error('webhook bench: a signature did not verify');
    const delivered = live.delivered();
    const recorded = await recordedAt(
      centralUrl,
      delivered.map((r) => r.id),
    );
    const latencies = delivered.map((r) => r.at - recorded.get(r.id)!);
    const fromTime = delivered.map((r) => r.at - Date.parse(r.event.time));
    const sinceTime = `from the event's time: p50 ${Math.round(percentile(fromTime, 50))} ms, p99 ${Math.round(percentile(fromTime, 99))} ms`;
    const what = `webhook delivery, event recorded → receiver 2xx, ${schools}-school burst (${latencies.length} events)`;
    rows.push(
      row({
        id: 'webhook_latency_p50',
        what: `${what}: p50`,
        value: percentile(latencies, 50),
        unit: 'ms',
        better: 'lower',
        detail: sinceTime,
        goal: 'shown, no goal',
      }),
      row({
        id: 'webhook_latency_p99',
        what: `${what}: p99`,
        value: percentile(latencies, 99),
        unit: 'ms',
        better: 'lower',
        detail: `max ${Math.round(Math.max(...latencies))} ms`,
        goal: '≤ 250 ms',
        goalMet: (r) => r.value <= 250,
      }),
    );

    // A second endpoint replayed from the first event: its whole backlog, one event after another.
    const id = await addEndpoint(scs, backlog, await backlog.start());
    const t0 = Date.now();
    const replay = await scs.request(`/webhooks/${id}/replay`, { method: 'POST', json: { from: '1970-01-01' } });
    if (replay.status !== 200) throw new Error(`POST /webhooks/${id}/replay: ${replay.status}`);
    await until('the backlog delivered', () => backlog.delivered().length >= live.delivered().length);
    let seen = -1;
    while (seen !== backlog.received.length) {
      seen = backlog.received.length;
      await sleep(1000); // until no more arrive: the whole backlog, however many schools came before
    }
    const last = backlog.received[backlog.received.length - 1].at;
    const backlogDelivered = backlog.delivered().length;
    rows.push(
      row({
        id: 'webhook_backlog_events_per_s',
        what: `webhook backlog to one endpoint (replayed from the first event): events/s`,
        value: backlogDelivered / ((last - t0) / 1000),
        unit: 'events/s',
        better: 'higher',
        detail: `${backlogDelivered} events in ${((last - t0) / 1000).toFixed(1)} s`,
        goal: 'shown, no goal',
      }),
    );
  } finally {
    await Promise.all([live.stop(), backlog.stop()]);
  }
}

async function alone(): Promise<void> {
  const server = await BenchServer.start();
  const central = `scs_bench_webhooks_${randomBytes(4).toString('hex')}`;
  const centralUrl = server.own(central);
  const scs = await startScs({
    databaseUrl: centralUrl,
    env: { ...WEBHOOK_ENV, SCS_RATE_LIMIT_PER_MINUTE: '1000000', SCS_POST_RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  const rows: Row[] = [];
  try {
    await webhookRows(scs, rows, Number(process.env.BENCH_WEBHOOK_SCHOOLS ?? 100), centralUrl);
    process.stdout.write(`\n${formatTable(rows)}\n`);
  } finally {
    await scs.stop();
    const databases = new PostgresTenantDatabases({ serverUrl: server.url, owner: central });
    await mapLimit(await databases.list(), DROPS_AT_ONCE, (name) => databases.drop(name));
    await server.stop();
  }
}

if (process.argv[1]?.endsWith('/bench/webhooks.js')) {
  alone().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
