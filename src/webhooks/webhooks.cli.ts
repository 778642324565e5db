import type { INestApplicationContext } from '@nestjs/common';
import { InvalidArgumentError, type Command } from 'commander';
import { isSchoolId } from '../domain/school/events.js';
import { INTEGRATION_EVENT_TYPES } from '../integration-events/integration-events.js';
import type { DeliveryAttempt } from '../ports/webhooks.port.js';
import {
  addWebhook,
  removeWebhook,
  testWebhook,
  WebhookInputError,
  WebhookNotFound,
  type WebhookParts,
} from './manage-webhooks.js';
import { enableWebhook, redeliverWebhookEvent, replayWebhook, WebhookEventNotFound } from './replay-webhooks.js';
import { WEBHOOK_PARTS } from './manage-webhooks.js';
import { action, CliFailure, group, print, withContext, type CliRun } from '../cli/cli.js';
import { confirm, destructive, type Confirmable } from '../cli/confirm.js';

type Json = { json?: boolean };

/** The use cases' refusals, as the operator reads them (exit 1). */
function refused(error: unknown): unknown {
  if (error instanceof WebhookInputError) return new CliFailure(`refused: ${error.message}`);
  if (error instanceof WebhookNotFound || error instanceof WebhookEventNotFound) return new CliFailure(error.message);
  return error;
}

function attemptLine(a: DeliveryAttempt): string {
  const answer = a.httpStatus !== null ? `HTTP ${a.httpStatus}` : (a.error ?? 'no answer');
  return `${a.attemptedAt}  ${a.outcome.padEnd(9)} ${answer.padEnd(8)} ${String(a.latencyMs).padStart(5)} ms  ${a.eventType} ${a.eventId} (attempt ${a.attempt})`;
}

/** The webhook use cases' parts, as the routes get them. */
function partsOf(app: INestApplicationContext): WebhookParts {
  return app.get<WebhookParts>(WEBHOOK_PARTS);
}

async function add(url: string, options: Json & { events: string }, { app }: CliRun): Promise<number> {
  const eventTypes = options.events
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const added = await addWebhook(partsOf(app), { url, eventTypes }).catch((e: unknown) => {
    throw refused(e);
  });
  print(options.json, { ...added.endpoint, secret: added.secret }, () => [
    `webhook ${added.endpoint.id}: ${url} (${eventTypes.join(', ')})`,
    `secret (shown this once): ${added.secret}`,
  ]);
  return 0;
}

async function list(options: Json, { app }: CliRun): Promise<number> {
  const items = await partsOf(app).endpoints.list();
  print(options.json, { items }, () =>
    items.length === 0
      ? ['no webhook endpoints']
      : items.map((e) => {
          const state = e.disabledAt ? `disabled ${e.disabledAt}: ${e.disabledReason}` : 'enabled';
          return `${e.id}  ${e.url}  ${e.eventTypes.join(',')}  ${state}`;
        }),
  );
  return 0;
}

async function remove(id: string, options: Confirmable, { app }: CliRun): Promise<number> {
  const parts = partsOf(app);
  const endpoint = await parts.endpoints.get(id);
  if (!endpoint) throw new CliFailure(`no webhook endpoint ${id}`);
  await confirm(options, { what: `remove the webhook to ${endpoint.url}`, answer: 'yes' });
  await removeWebhook(parts, id).catch((e: unknown) => {
    throw refused(e);
  });
  process.stdout.write(`webhook ${id} removed\n`);
  return 0;
}

/** Prints a delivery attempt; exit 1 unless it was delivered. */
function attempted(attempt: DeliveryAttempt, options: Json): number {
  print(options.json, attempt, () => [attemptLine(attempt)]);
  return attempt.outcome === 'delivered' ? 0 : 1;
}

async function sendTest(id: string, options: Json, { app }: CliRun): Promise<number> {
  const attempt = await testWebhook(partsOf(app), id).catch((e: unknown) => {
    throw refused(e);
  });
  return attempted(attempt, options);
}

async function deliveries(id: string, options: Json, { app }: CliRun): Promise<number> {
  const { endpoints } = partsOf(app);
  if (!(await endpoints.get(id))) throw new CliFailure(`no webhook endpoint ${id}`);
  const items = await endpoints.deliveries(id, 100);
  print(options.json, { items }, () => (items.length === 0 ? ['no deliveries yet'] : items.map(attemptLine)));
  return 0;
}

/** `scs webhooks add|list|remove|test|deliveries|redeliver|replay|enable`: the use cases of the /webhooks routes. */
export function registerWebhooks(program: Command): void {
  const webhooks = group(program, 'webhooks', 'endpoints told of integration events (signed per Standard Webhooks)');
  webhooks
    .command('add')
    .argument('<url>', 'where to POST the events')
    .requiredOption('--events <types>', `comma-separated: ${INTEGRATION_EVENT_TYPES.join(', ')}`)
    .option('--json', 'print the endpoint and its secret as JSON')
    .description('add an endpoint; its secret is printed this once (SCS keeps it sealed)')
    .action(
      action(async (url: string, options: Json & { events: string }) => withContext((run) => add(url, options, run))),
    );
  webhooks
    .command('list')
    .option('--json', 'print the endpoints as JSON')
    .description('every endpoint, disabled ones with why (never a secret)')
    .action(action(async (options: Json) => withContext((run) => list(options, run))));
  destructive(webhooks.command('remove'), 'remove a webhook endpoint')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .description('remove an endpoint, its delivery log and its position; on a terminal, asks first')
    .action(action(async (id: string, options: Confirmable) => withContext((run) => remove(id, options, run))));
  webhooks
    .command('test')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .option('--json', 'print the attempt as JSON')
    .description('send a signed webhook.test event now; exit 1 unless it answers 2xx')
    .action(action(async (id: string, options: Json) => withContext((run) => sendTest(id, options, run))));
  webhooks
    .command('deliveries')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .option('--json', 'print the attempts as JSON')
    .description('its delivery attempts, the newest first (100)')
    .action(action(async (id: string, options: Json) => withContext((run) => deliveries(id, options, run))));
  registerRecovery(webhooks);
}

async function redeliver(id: string, eventId: string, options: Json, { app }: CliRun): Promise<number> {
  const attempt = await redeliverWebhookEvent(partsOf(app), id, eventId).catch((e: unknown) => {
    throw refused(e);
  });
  return attempted(attempt, options);
}

async function replay(id: string, options: Json & { from: string }, { app }: CliRun): Promise<number> {
  const replayed = await replayWebhook(partsOf(app), id, options.from).catch((e: unknown) => {
    throw refused(e);
  });
  print(options.json, { id, ...replayed }, () => [
    `webhook ${id}: deliveries start again after ${replayed.after ?? 'nothing (the first event)'}`,
  ]);
  return 0;
}

async function enable(id: string, { app }: CliRun): Promise<number> {
  await enableWebhook(partsOf(app), id).catch((e: unknown) => {
    throw refused(e);
  });
  process.stdout.write(`webhook ${id} enabled\n`);
  return 0;
}

/** `redeliver`, `replay`, `enable`: putting deliveries right by hand. */
function registerRecovery(webhooks: Command): void {
  webhooks
    .command('redeliver')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .argument('<eventId>', 'an event id from its delivery log')
    .option('--json', 'print the attempt as JSON')
    .description('send one event again now, with the same webhook-id; exit 1 unless it answers 2xx')
    .action(
      action(async (id: string, eventId: string, options: Json) =>
        withContext((run) => redeliver(id, eventId, options, run)),
      ),
    );
  webhooks
    .command('replay')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .requiredOption('--from <from>', 'an ISO time, or an event stream id (GET /events/stream, /audit/events cursors)')
    .option('--json', 'print the new position as JSON')
    .description('deliver again from a time or a position (the running service picks it up within a second)')
    .action(
      action(async (id: string, options: Json & { from: string }) => withContext((run) => replay(id, options, run))),
    );
  webhooks
    .command('enable')
    .argument('<id>', 'endpoint id', endpointIdArg)
    .description('enable a disabled endpoint: deliveries resume from its position, with a new retry window')
    .action(action(async (id: string) => withContext((run) => enable(id, run))));
}

/** An endpoint's id: a UUID, like a school's. */
function endpointIdArg(value: string): string {
  const id = value.toLowerCase();
  if (!isSchoolId(id)) throw new InvalidArgumentError('expected an endpoint id (a UUID).');
  return id;
}
