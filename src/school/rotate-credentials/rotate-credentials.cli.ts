import type { Command } from 'commander';
import { FAULT_POINTS, type FaultPoints } from '../../ports/fault-points.port.js';
import { rotateCredentials } from './rotate-credentials.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, group, intArg, print, withContext } from '../../cli/cli.js';
import { schoolPorts, type SchoolPorts } from '../../cli/school-ports.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';
import { confirm, destructive } from '../../cli/confirm.js';
import { progressBar } from '../../cli/progress.js';

interface SecretsOptions {
  only?: string;
  concurrency: number;
  json?: boolean;
  yes?: boolean;
}

/** `scs secrets rotate`: every live school onto the active credentials key. */
export function registerSecrets(program: Command): void {
  const rotate = group(program, 'secrets', 'school database credentials').command('rotate');
  destructive(rotate, 'rotate school database credentials')
    .description(
      'move every live school to the active credentials key (the first of SCS_CREDENTIALS_KEYS): a new ' +
        'password on its role and the registry row re-encrypted, each a SchoolCredentialsRotated event; resumable',
    )
    .option(
      '--only <school>',
      'rotate this school only (its id or slug), even one already on the active key',
      schoolRefArg,
    )
    .option('--concurrency <n>', 'schools at a time (1 to 64)', intArg(1, 64), 4)
    .option('--json', 'print the report as JSON')
    .action(
      action(async (options: SecretsOptions) =>
        withContext(async ({ app }) => {
          const only = options.only && (await resolveSchool(app.get(SchoolQueries), options.only));
          return secretsRotate(
            { ...schoolPorts(app), faults: app.get<FaultPoints>(FAULT_POINTS) },
            { ...options, only },
          );
        }),
      ),
    );
}

/** Returns the exit code (1 when a school could not be rotated). */
async function secretsRotate(deps: SchoolPorts & { faults: FaultPoints }, options: SecretsOptions): Promise<number> {
  const { concurrency } = options;
  const { credentials } = deps;
  const which = options.only ? `school ${options.only}` : 'every live school on another key';
  await confirm(options, {
    what: `give ${which} a new database password under key "${credentials.activeKeyId}"`,
    answer: 'yes',
  });
  const bar = progressBar(
    `rotating to key "${credentials.activeKeyId}" [{bar}] {value}/{total} schools | {eta_formatted} left`,
  );
  const started = performance.now();
  let done = 0;
  const report = await rotateCredentials(deps, {
    only: options.only,
    concurrency,
    actor: 'cli',
    onStart: (total) => bar.start(Math.max(total, 1), 0),
    onSchool: () => bar.update(++done),
  });
  bar.update(Math.max(done, 1));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  print(options.json, { ...report, keyId: credentials.activeKeyId, seconds }, () => [
    `rotated ${report.rotated} schools to key "${credentials.activeKeyId}" in ${seconds.toFixed(2)} s` +
      ` (${report.current} already on it, ${report.notLive} not live, ${report.failed.length} failed)`,
    ...report.failed.map((f) => `failed ${f.schoolId}: ${f.error}`),
    ...(options.only && report.rotated === 0 ? [`school ${options.only} is not live: nothing rotated`] : []),
  ]);
  return report.failed.length > 0 || (options.only !== undefined && report.rotated === 0) ? 1 : 0;
}
