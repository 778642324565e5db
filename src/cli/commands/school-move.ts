import { moveSchool } from '../../application/move-school/move-school.js';
import { systemClock } from '../../application/ports/clock.port.js';
import type { Runtime } from '../../infrastructure/runtime.js';
import type { Command } from 'commander';
import { action, group, schoolIdArg, withRuntime } from '../cli.js';

/** `npm run scs -- school move <id> --to <server>`: exit 0 moved, 1 refused or failed (and undone). */
export async function schoolMove(runtime: Runtime, options: { id: string; to: string }): Promise<number> {
  const { store, servers, registry, credentials } = runtime;
  const deps = { store, servers, registry, credentials, clock: systemClock };
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
  group(program, 'school', 'one school, by id')
    .command('move')
    .argument('<id>', 'the school', schoolIdArg)
    .requiredOption('--to <server>', 'the tenant server to move it to')
    .description(
      "move a live school's database to another tenant server (copy, switch, then drop the old one; the " +
        'school is down while its rows are copied)',
    )
    .action(
      action(async (id: string, options: { to: string }) =>
        withRuntime(({ runtime }) => schoolMove(runtime, { id, to: options.to })),
      ),
    );
}
