import type { Command } from 'commander';
import { CLOCK, type Clock } from '../../application/ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../../application/ports/event-store.port.js';
import { SlugTakenError } from '../../application/request-school/slug-claims.js';
import { planTeardown } from '../../application/request-teardown/plan-teardown.js';
import { RequestTeardownCommand } from '../../application/request-teardown/request-teardown.command.js';
import { RequestTeardownHandler } from '../../application/request-teardown/request-teardown.handler.js';
import { RetrySchoolCommand, SchoolNotFailedError } from '../../application/retry-school/retry-school.command.js';
import { RetrySchoolHandler } from '../../application/retry-school/retry-school.handler.js';
import { schoolHistory } from '../../application/school/school-history.js';
import { DomainError } from '../../domain/school/errors.js';
import { SchoolQueries } from '../../projections/school-read-model/school-queries.js';
import { action, CliFailure, group, print, withContext, type CliRun } from '../cli.js';
import { resolveSchool, schoolRefArg } from '../school-ref.js';
import { confirm, destructive, type Confirmable } from '../confirm.js';

type Json = { json?: boolean };

function notFound(id: string): CliFailure {
  return new CliFailure(`no school with id ${id}`);
}

/** The command handlers' refusals, as the operator reads them (exit 1). */
function refused(id: string, error: unknown): unknown {
  if (error instanceof DomainError && error.code === 'school_not_found') return notFound(id);
  if (error instanceof SchoolNotFailedError) return new CliFailure(error.message);
  if (error instanceof DomainError || error instanceof SlugTakenError) {
    return new CliFailure(`school ${id}: ${error.message}`);
  }
  return error;
}

function summary(data: Record<string, unknown>): string {
  const keys = [
    'step',
    'attempt',
    'error',
    'databaseName',
    'method',
    'schemaVersion',
    'name',
    'serialNumber',
    'slug',
    'reason',
    'existed',
    'messageId',
  ];
  return keys
    .filter((k) => data[k] !== undefined)
    .map((k) => `${k}=${String(data[k])}`)
    .join(' ')
    .slice(0, 160);
}

/** `scs school history|show|delete|retry <id|slug>`: one school; delete and retry go through the API's handlers. */
export function registerSchool(program: Command): void {
  const school = group(program, 'school', 'one school, by id or slug');
  school
    .command('history')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description("print a school's events in order")
    .option('--json', 'print the events as GET /school/:id/history does')
    .action(action(async (ref: string, options: Json) => withContext((run) => history(ref, options, run))));
  school
    .command('show')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description('print a school as the API shows it (GET /school/:id)')
    .option('--json', 'print the whole view as JSON')
    .action(action(async (ref: string, options: Json) => withContext((run) => show(ref, options, run))));
  destructive(school.command('delete'), 'tear a school down')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description(
      'tear a school down, as DELETE /school/:id (its events record the actor "cli"); on a terminal, asks ' +
        "for the school's slug first",
    )
    .option('--dry-run', 'print what the teardown would undo; change nothing')
    .option('--json', 'print {id, status} as JSON')
    .action(
      action(async (ref: string, options: Json & Confirmable) => withContext((run) => teardown(ref, options, run))),
    );
  school
    .command('retry')
    .argument('<school>', 'id or slug of a failed school', schoolRefArg)
    .description('request a failed school again with the same details, as POST /school (a new id; actor "cli")')
    .option('--json', 'print the new school as POST /school answers it, with retryOf')
    .action(action(async (ref: string, options: Json) => withContext((run) => retry(ref, options, run))));
}

async function history(ref: string, options: Json, { app }: CliRun): Promise<number> {
  const id = await resolveSchool(app.get(SchoolQueries), ref);
  const events = await schoolHistory(app.get<EventStore>(EVENT_STORE), id);
  if (events.length === 0) throw notFound(id);
  print(options.json, events, () =>
    events.map(
      (e) =>
        `${String(e.revision).padStart(3)}  ${e.time}  ` +
        `${e.type.padEnd(24)} ${String(e.metadata.actor ?? '').padEnd(16)} ${summary(e.data)}`,
    ),
  );
  return 0;
}

async function show(ref: string, options: Json, { app }: CliRun): Promise<number> {
  const queries = app.get(SchoolQueries);
  const id = await resolveSchool(queries, ref);
  const view = await queries.get(id);
  if (!view) throw notFound(id);
  print(options.json, view, () => [
    `${view.id}  ${view.status}  ${view.name} (${view.slug}, ${view.district}, ${view.board})`,
    `  ${view.subdomain}  database ${view.databaseName}  created ${view.createdAt}  updated ${view.updatedAt}`,
    ...(view.failedStep ? [`  failed at ${view.failedStep}: ${view.failureReason ?? ''}`] : []),
    ...view.steps.map(
      (s) =>
        `  ${s.name.padEnd(20)} ${s.status.padEnd(10)} attempts ${s.attempts}` + `${s.error ? `  ${s.error}` : ''}`,
    ),
    ...view.warnings.map((w) => `  warning: ${w}`),
  ]);
  return 0;
}

async function teardown(ref: string, options: Json & Confirmable, run: CliRun): Promise<number> {
  const { app, actor, correlationId } = run;
  const id = await resolveSchool(app.get(SchoolQueries), ref);
  const now = app.get<Clock>(CLOCK).now().toISOString();
  const plan = await planTeardown(app.get<EventStore>(EVENT_STORE), id, now).catch((error: unknown) => {
    throw refused(id, error);
  });
  const steps = plan.records ? plan.undo.join(', ') || 'nothing' : 'nothing new (a teardown is under way)';
  const what = `school ${id} (${plan.slug}) is ${plan.status}; a teardown would undo: ${steps}`;
  if (options.dryRun) {
    print(options.json, { ...plan, dryRun: true }, () => [what, 'dry run: nothing was changed']);
    return 0;
  }
  await confirm(options, { what: `tear down ${plan.slug}`, answer: plan.slug, plan: [what] });
  const command = new RequestTeardownCommand(id, actor, correlationId);
  const result = await app
    .get(RequestTeardownHandler)
    .execute(command)
    .catch((error: unknown) => {
      throw refused(id, error);
    });
  print(options.json, result, () => [`school ${result.id}: ${result.status} (correlation id ${correlationId})`]);
  return 0;
}

/** The same use case as POST /school/:id/retry: a new school with the failed one's details. */
async function retry(ref: string, options: Json, { app, actor, correlationId }: CliRun): Promise<number> {
  const id = await resolveSchool(app.get(SchoolQueries), ref);
  const command = new RetrySchoolCommand(id, actor, correlationId);
  const school = await app
    .get(RetrySchoolHandler)
    .execute(command)
    .catch((error: unknown) => {
      throw refused(id, error);
    });
  print(options.json, school, () => [
    `requested school ${school.id} (${school.slug}) again for failed school ${id}: ${school.status}` +
      ` (correlation id ${correlationId})`,
  ]);
  return 0;
}
