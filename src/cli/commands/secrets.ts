import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { systemClock } from '../../application/ports/clock.port.js';
import { FaultInjector } from '../../application/process-manager/faults.js';
import { rotateCredentials } from '../../application/rotate-credentials/rotate-credentials.js';
import type { Runtime } from '../../infrastructure/runtime.js';

export const SECRETS_USAGE = `  secrets rotate [--only <id>] [--concurrency N]
                             move every live school to the active credentials key (the first of
                             SCS_CREDENTIALS_KEYS): a new password on its role and the registry row
                             re-encrypted, each a SchoolCredentialsRotated event; resumable, N at a time
                             (default 4); --only rotates one school, even one already on the active key`;

export interface SecretsOptions {
  command?: string;
  only?: string;
  concurrency?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `npm run scs -- secrets rotate`: returns the exit code (1 when a school could not be rotated). */
export async function secretsCommand(runtime: Runtime, options: SecretsOptions): Promise<number> {
  const concurrency = Number(options.concurrency ?? 4);
  if (
    options.command !== 'rotate' ||
    !Number.isInteger(concurrency) ||
    concurrency < 1 ||
    concurrency > 64 ||
    (options.only !== undefined && !UUID.test(options.only))
  ) {
    process.stderr.write(`usage:\n${SECRETS_USAGE}\n(--concurrency is 1 to 64; --only takes a school id)\n`);
    return 2;
  }
  const { config, credentials } = runtime;
  const bar = new cliProgress.SingleBar(
    {
      format: `rotating to key "${credentials.activeKeyId}" [{bar}] {value}/{total} schools | {eta_formatted} left`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  const report = await rotateCredentials(
    {
      store: runtime.store,
      servers: runtime.servers,
      registry: runtime.registry,
      credentials,
      faults: new FaultInjector(config.faults, join(config.dataDir, 'faults')),
      clock: systemClock,
    },
    {
      only: options.only,
      concurrency,
      actor: 'cli',
      onStart: (total) => bar.start(Math.max(total, 1), 0),
      onSchool: () => bar.update(++done),
    },
  );
  bar.update(Math.max(done, 1));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `rotated ${report.rotated} schools to key "${credentials.activeKeyId}" in ${seconds.toFixed(2)} s` +
      ` (${report.current} already on it, ${report.notLive} not live, ${report.failed.length} failed)\n`,
  );
  for (const f of report.failed) process.stdout.write(`failed ${f.schoolId}: ${f.error}\n`);
  if (options.only && report.rotated === 0)
    process.stdout.write(`school ${options.only} is not live: nothing rotated\n`);
  return report.failed.length > 0 || (options.only !== undefined && report.rotated === 0) ? 1 : 0;
}
