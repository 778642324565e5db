import type { Command } from 'commander';
import { ResumeSchoolCommand, SuspendSchoolCommand } from './suspension.commands.js';
import { ResumeSchoolHandler, SuspendSchoolHandler } from './suspension.handlers.js';
import { DomainError } from '../../domain/school/errors.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, CliFailure, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { confirm, destructive, type Confirmable } from '../../cli/confirm.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

type Options = JsonOption;

/** A refusal of the domain (not in a status for it, deleted, a bad reason), as the operator reads it: exit 1. */
function refused(id: string, error: unknown): unknown {
  return error instanceof DomainError ? new CliFailure(`school ${id}: ${error.message}`) : error;
}

async function suspend(ref: string, options: Options & Confirmable & { reason: string }, run: CliRun): Promise<number> {
  const { app, actor, correlationId } = run;
  const queries = app.get(SchoolQueries);
  const id = await resolveSchool(queries, ref);
  const view = await queries.get(id);
  if (!view) throw new CliFailure(`no school with id ${id}`);
  const plan = `school ${id} (${view.slug}) is ${view.status}: its role would be refused by PostgreSQL and its name repointed`;
  await confirm(options, { what: `suspend ${view.slug}`, answer: view.slug, plan: [plan] });
  const command = new SuspendSchoolCommand(id, options.reason, actor, correlationId);
  const accepted = await app
    .get(SuspendSchoolHandler)
    .execute(command)
    .catch((error: unknown) => {
      throw refused(id, error);
    });
  print(options.json, accepted, () => [`school ${id}: ${accepted.status} (correlation id ${correlationId})`]);
  return 0;
}

async function resume(ref: string, options: Options, run: CliRun): Promise<number> {
  const { app, actor, correlationId } = run;
  const id = await resolveSchool(app.get(SchoolQueries), ref);
  const accepted = await app
    .get(ResumeSchoolHandler)
    .execute(new ResumeSchoolCommand(id, actor, correlationId))
    .catch((error: unknown) => {
      throw refused(id, error);
    });
  print(options.json, accepted, () => [`school ${id}: ${accepted.status} (correlation id ${correlationId})`]);
  return 0;
}

/**
 * `scs school suspend|resume <id|slug>`: the use cases of POST /school/:id/suspend and /resume (actor "cli");
 * the running service's process manager does the work. Suspending asks for the slug on a terminal; resuming,
 * its undoing, does not.
 */
export function registerSchoolSuspension(program: Command): void {
  const school = group(program, 'school', 'one school, by id or slug');
  destructive(school.command('suspend'), 'suspend a school')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .requiredOption('--reason <text>', 'why (kept in its events, shown by GET /school/:id)')
    .description(
      'suspend a live school, as POST /school/:id/suspend: its role cannot log in (its sessions end) and its name ' +
        "points at SCHOOL_SUSPENDED_DNS_TARGET; on a terminal, asks for the school's slug first",
    )
    .option('--json', 'print {id, status} as JSON')
    .action(
      action(async (ref: string, options: Options & Confirmable & { reason: string }) =>
        withContext((run) => suspend(ref, options, run)),
      ),
    );
  school
    .command('resume')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description('resume a suspended school (or stop its suspension), as POST /school/:id/resume')
    .option('--json', 'print {id, status} as JSON')
    .action(action(async (ref: string, options: Options) => withContext((run) => resume(ref, options, run))));
}
