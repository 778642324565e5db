import type { Command } from 'commander';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { planTeardown } from './plan-teardown.js';
import { RequestTeardownCommand } from './request-teardown.command.js';
import { RequestTeardownHandler } from './request-teardown.handler.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { confirm, destructive, type Confirmable } from '../../cli/confirm.js';
import { refused } from '../../cli/school-refusals.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

/** `scs school delete <id|slug>`: the teardown, through the handler of DELETE /school/:id. */
export function registerSchoolDelete(program: Command): void {
  const school = group(program, 'school', 'one school, by id or slug');
  destructive(school.command('delete'), 'tear a school down')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description(
      'tear a school down, as DELETE /school/:id (its events record the actor "cli"); on a terminal, asks ' +
        "for the school's slug first",
    )
    .option('--dry-run', 'print what the teardown would undo; change nothing')
    .option('--json', 'print {id, status} as JSON')
    .action(
      action(async (ref: string, options: JsonOption & Confirmable) =>
        withContext((run) => teardown(ref, options, run)),
      ),
    );
}

async function teardown(ref: string, options: JsonOption & Confirmable, run: CliRun): Promise<number> {
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
