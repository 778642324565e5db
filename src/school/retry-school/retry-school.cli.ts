import type { Command } from 'commander';
import { RetrySchoolCommand } from './retry-school.command.js';
import { RetrySchoolHandler } from './retry-school.handler.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { refused } from '../../cli/school-refusals.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

/** `scs school retry <id|slug>`: the use case of POST /school/:id/retry (actor "cli"). */
export function registerSchoolRetry(program: Command): void {
  group(program, 'school', 'one school, by id or slug')
    .command('retry')
    .argument('<school>', 'id or slug of a failed school', schoolRefArg)
    .description('request a failed school again with the same details, as POST /school (a new id; actor "cli")')
    .option('--json', 'print the new school as POST /school answers it, with retryOf')
    .action(action(async (ref: string, options: JsonOption) => withContext((run) => retry(ref, options, run))));
}

/** The same use case as POST /school/:id/retry: a new school with the failed one's details. */
async function retry(ref: string, options: JsonOption, { app, actor, correlationId }: CliRun): Promise<number> {
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
