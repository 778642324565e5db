import type { Command } from 'commander';
import { RequestSchoolCommand } from '../../application/request-school/request-school.command.js';
import { SlugTakenError } from '../../application/request-school/slug-claims.js';
import { RequestTeardownCommand } from '../../application/request-teardown/request-teardown.command.js';
import { schoolHistory } from '../../application/school/school-history.js';
import { DomainError } from '../../domain/school/errors.js';
import { action, CliFailure, group, print, schoolIdArg, withRuntime, type CliRun } from '../cli.js';

type Json = { json?: boolean };

function notFound(id: string): CliFailure {
  return new CliFailure(`no school with id ${id}`);
}

/** The command handlers' refusals, as the operator reads them (exit 1). */
function refused(id: string, error: unknown): unknown {
  if (error instanceof DomainError && error.code === 'school_not_found') return notFound(id);
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

/** `scs school history|show|delete|retry <id>`: one school; delete and retry go through the API's handlers. */
export function registerSchool(program: Command): void {
  const school = group(program, 'school', 'one school, by id');

  school
    .command('history')
    .argument('<id>', 'school id', schoolIdArg)
    .description("print a school's events in order")
    .option('--json', 'print the events as GET /school/:id/history does')
    .action(
      action(async (id: string, options: Json) =>
        withRuntime(async ({ runtime }) => {
          const events = await schoolHistory(runtime.store, id);
          if (events.length === 0) throw notFound(id);
          print(options.json, events, () =>
            events.map(
              (e) =>
                `${String(e.revision).padStart(3)}  ${e.time}  ` +
                `${e.type.padEnd(24)} ${String(e.metadata.actor ?? '').padEnd(16)} ${summary(e.data)}`,
            ),
          );
          return 0;
        }),
      ),
    );

  school
    .command('show')
    .argument('<id>', 'school id', schoolIdArg)
    .description('print a school as the API shows it (GET /school/:id)')
    .option('--json', 'print the whole view as JSON')
    .action(
      action(async (id: string, options: Json) =>
        withRuntime(async ({ runtime }) => {
          const view = await runtime.queries.get(id);
          if (!view) throw notFound(id);
          print(options.json, view, () => [
            `${view.id}  ${view.status}  ${view.name} (${view.slug}, ${view.district}, ${view.board})`,
            `  ${view.subdomain}  database ${view.databaseName}  created ${view.createdAt}  updated ${view.updatedAt}`,
            ...(view.failedStep ? [`  failed at ${view.failedStep}: ${view.failureReason ?? ''}`] : []),
            ...view.steps.map(
              (s) =>
                `  ${s.name.padEnd(20)} ${s.status.padEnd(10)} attempts ${s.attempts}` +
                `${s.error ? `  ${s.error}` : ''}`,
            ),
            ...view.warnings.map((w) => `  warning: ${w}`),
          ]);
          return 0;
        }),
      ),
    );

  school
    .command('delete')
    .argument('<id>', 'school id', schoolIdArg)
    .description('tear a school down, as DELETE /school/:id (its events record the actor "cli")')
    .option('--json', 'print {id, status} as JSON')
    .action(action(async (id: string, options: Json) => withRuntime((run) => teardown(id, options, run))));

  school
    .command('retry')
    .argument('<id>', 'id of a failed school', schoolIdArg)
    .description('request a failed school again with the same details, as POST /school (a new id; actor "cli")')
    .option('--json', 'print the new school as POST /school answers it, with retryOf')
    .action(action(async (id: string, options: Json) => withRuntime((run) => retry(id, options, run))));
}

async function teardown(id: string, options: Json, { handlers, actor, correlationId }: CliRun): Promise<number> {
  const command = new RequestTeardownCommand(id, actor, correlationId);
  const result = await handlers.requestTeardown.execute(command).catch((error: unknown) => {
    throw refused(id, error);
  });
  print(options.json, result, () => [`school ${result.id}: ${result.status} (correlation id ${correlationId})`]);
  return 0;
}

/** A failed school's slug was released by its rollback, so the same details can be requested again. */
async function retry(id: string, options: Json, { runtime, handlers, actor, correlationId }: CliRun): Promise<number> {
  const failed = await runtime.queries.get(id);
  if (!failed) throw notFound(id);
  if (failed.status !== 'failed') {
    throw new CliFailure(`school ${id} is ${failed.status}; only a failed school can be retried`);
  }
  const { name, slug, district, board, adminEmail, phone } = failed;
  const command = new RequestSchoolCommand({ name, slug, district, board, adminEmail, phone }, actor, correlationId);
  const school = await handlers.requestSchool.execute(command).catch((error: unknown) => {
    throw refused(id, error);
  });
  print(options.json, { ...school, retryOf: id }, () => [
    `requested school ${school.id} (${school.slug}) again for failed school ${id}: ${school.status}` +
      ` (correlation id ${correlationId})`,
  ]);
  return 0;
}
