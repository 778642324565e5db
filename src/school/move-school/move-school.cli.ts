import { moveSchool, planMove } from './move-school.js';
import { SchoolQueries } from '../view/school-queries.js';
import type { Command } from 'commander';
import { action, group, withContext } from '../../cli/cli.js';
import { schoolPorts, type SchoolPorts } from '../../cli/school-ports.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';
import { confirm, destructive, type Confirmable } from '../../cli/confirm.js';

interface SchoolMoveOptions extends Confirmable {
  id: string;
  to: string;
}

/** `npm run scs -- school move <id> --to <server>`: exit 0 moved (or planned), 1 refused or failed (and undone). */
async function schoolMove(deps: SchoolPorts, options: SchoolMoveOptions): Promise<number> {
  const plan = await planMove(deps, options.id, options.to);
  if (!plan.ready) {
    process.stderr.write(`${plan.reason}\n`);
    return 1;
  }
  const what =
    `school ${options.id} (${plan.slug}): database ${plan.databaseName} would be copied from ${plan.from} to ` +
    `${plan.to} (the school is down while its rows are copied), then dropped on ${plan.from}`;
  if (options.dryRun) {
    process.stdout.write(`${what}\ndry run: nothing was changed\n`);
    return 0;
  }
  await confirm(options, { what: `move ${plan.slug} to ${plan.to}`, answer: plan.slug, plan: [what] });
  const result = await moveSchool(deps, options.id, options.to, 'cli');
  if (!result.moved) {
    process.stderr.write(`${result.reason}\n`);
    return 1;
  }
  const { from, to, tables, rows, downtimeMs, oldDropped } = result;
  const old = oldDropped ? 'old database dropped' : 'old database NOT dropped: run reconcile --fix';
  process.stdout.write(
    `moved school ${options.id} from ${from} to ${to}: ${rows} rows in ${tables} tables, ` +
      `down ${downtimeMs} ms; ${old}\n`,
  );
  return 0;
}

/** `scs school move <id> --to <server>`: see the README for its downtime. */
export function registerSchoolMove(program: Command): void {
  const move = group(program, 'school', 'one school, by id or slug').command('move');
  destructive(move, 'move a school')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .requiredOption('--to <server>', 'the tenant server to move it to')
    .description(
      "move a live school's database to another tenant server (copy, switch, then drop the old one; the " +
        "school is down while its rows are copied); on a terminal, asks for the school's slug first",
    )
    .option('--dry-run', 'check that the move can start and print what it would do; change nothing')
    .action(
      action(async (ref: string, options: { to: string } & Confirmable) =>
        withContext(async ({ app }) =>
          schoolMove(schoolPorts(app), { ...options, id: await resolveSchool(app.get(SchoolQueries), ref) }),
        ),
      ),
    );
}
