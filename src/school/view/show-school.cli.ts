import type { Command } from 'commander';
import { SchoolQueries } from './school-queries.js';
import { action, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { notFound } from '../../cli/school-refusals.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

/** `scs school show <id|slug>`: one school, as GET /school/:id. */
export function registerSchoolShow(program: Command): void {
  group(program, 'school', 'one school, by id or slug')
    .command('show')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description('print a school as the API shows it (GET /school/:id)')
    .option('--json', 'print the whole view as JSON')
    .action(action(async (ref: string, options: JsonOption) => withContext((run) => show(ref, options, run))));
}

async function show(ref: string, options: JsonOption, { app }: CliRun): Promise<number> {
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
