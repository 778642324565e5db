import 'reflect-metadata';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { schoolHistory } from '../application/school/school-history.js';
import { silentLogger, type AppLogger } from '../application/ports/logger.port.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { projectRoot } from '../infrastructure/postgres/sql-migrations.js';
import type { Runtime } from '../infrastructure/runtime.js';
import { createRuntime } from '../infrastructure/composition/create-runtime.js';
import { SCHOOL_STREAM_PREFIX } from '../domain/school/events.js';
import { SECRETS_USAGE, secretsCommand } from './commands/secrets.js';
import { SERVERS_USAGE, serversCommand } from './commands/servers.js';
import { SCHOOL_MOVE_USAGE, schoolMove } from './commands/school-move.js';
import { parseSchoolsMigrateArgs, schoolsMigrate, SCHOOLS_MIGRATE_USAGE } from './commands/schools-migrate.js';

const USAGE = `usage: npm run scs -- <command>

commands:
  projections rebuild        rebuild the school read model from the first event
  school history <id>        print a school's events in order (add --json for JSON)
  school show <id>           print a school as the API shows it
${SCHOOL_MOVE_USAGE}
  reconcile [--fix]          compare databases, DNS records, certificates and registry rows with the
                             events; report orphans and drift (exit 1 when any is left); --fix removes
                             orphans and records each removal as an OrphanRemoved event (--json for JSON)
${SECRETS_USAGE}
${SCHOOLS_MIGRATE_USAGE}
${SERVERS_USAGE}
  help                       this text

The CLI uses the same configuration as the service (DATABASE_URL, or the embedded PostgreSQL).`;

const stderrLogger: AppLogger = {
  log: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`warning: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
};

async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>, verbose = false): Promise<T> {
  const config = loadConfig(process.env, { dataDir: join(projectRoot(), '.scs-data') });
  const runtime = await createRuntime(config, verbose ? stderrLogger : silentLogger);
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function rebuild(runtime: Runtime): Promise<void> {
  // The PostgreSQL store can count cheaply; the count only sizes the progress bar.
  const counted = await runtime.pool.query(`SELECT count(*)::int AS n FROM scs_events WHERE stream_id LIKE $1`, [`${SCHOOL_STREAM_PREFIX}%`]);
  const total: number = counted.rows[0].n;
  const bar = new cliProgress.SingleBar({
    format: 'rebuilding school read model [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 1000,
  }, cliProgress.Presets.shades_classic);
  bar.start(Math.max(total, 1), 0);
  const started = performance.now();
  const result = await runtime.projection.rebuild((done) => bar.update(Math.min(done, Math.max(total, done)), { total: Math.max(total, done) }));
  bar.update(Math.max(result.events, 1));
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
  process.stdout.write(`rebuilt school read model: ${result.events} events, ${result.schools} schools in ${seconds.toFixed(2)} s (${rate} events/s)\n`);
}

async function main(argv: string[]): Promise<number> {
  const [group, command, arg] = argv.filter((a) => !a.startsWith('--'));
  const json = argv.includes('--json');
  if (!group || group === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return group ? 0 : 2;
  }
  if (group === 'secrets') {
    const value = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? '' : undefined);
    const options = { command, only: value('--only'), concurrency: value('--concurrency') };
    return withRuntime((runtime) => secretsCommand(runtime, options));
  }
  if (group === 'servers') {
    const capacity = argv.includes('--capacity') ? argv[argv.indexOf('--capacity') + 1] ?? '' : undefined;
    const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--capacity');
    return withRuntime((runtime) => serversCommand(runtime, { command, name: positional[2], capacity, json }));
  }
  if (group === 'school' && command === 'move') {
    const to = argv.includes('--to') ? argv[argv.indexOf('--to') + 1] : undefined;
    const id = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--to')[2];
    return withRuntime((runtime) => schoolMove(runtime, { id, to }));
  }
  if (group === 'projections' && command === 'rebuild') {
    await withRuntime(rebuild);
    return 0;
  }
  if (group === 'schools' && command === 'migrate') {
    const options = parseSchoolsMigrateArgs(argv.slice(argv.indexOf('migrate') + 1));
    if ('error' in options) return usageError(options.error);
    return withRuntime((runtime) => schoolsMigrate(runtime, options));
  }
  if (group === 'reconcile') {
    return withRuntime(async (runtime) => {
      const report = await runtime.reconcile(argv.includes('--fix'), 'cli');
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const c = report.checked;
        process.stdout.write(`checked ${c.schools} schools: ${c.databases} databases, ${c.dnsRecords} DNS records, ${c.certificates} certificates, ${c.registryRows} registry rows (${c.skippedInFlight} in flight, left alone)\n`);
        for (const f of report.findings) process.stdout.write(`${f.kind.padEnd(6)} ${f.resource.padEnd(11)} ${f.name}${f.schoolId ? ` (school ${f.schoolId})` : ''}: ${f.detail}${f.fixed ? ' — removed' : ''}\n`);
        const count = (kind: string) => report.findings.filter((f) => f.kind === kind).length;
        const retired = count('retired-key');
        process.stdout.write(`orphans: ${count('orphan')}, drift: ${count('drift')}, on a retired key: ${retired}\n`);
        for (const c of report.abandonedClaims) {
          const what = c.released ? 'released' : 'the next request for it takes it over';
          process.stdout.write(`abandoned slug claim ${c.slug} (school ${c.schoolId}, claimed ${c.claimedAt}): `
            + `${what}\n`);
        }
      }
      return report.findings.some((f) => !f.fixed) ? 1 : 0;
    });
  }
  if (group === 'school' && (command === 'history' || command === 'show') && arg) {
    return withRuntime(async (runtime) => {
      if (command === 'show') {
        const school = await runtime.queries.get(arg).catch(() => undefined);
        if (!school) return notFound(arg);
        process.stdout.write(`${JSON.stringify(school, null, 2)}\n`);
        return 0;
      }
      const events = await schoolHistory(runtime.store, arg).catch(() => []);
      if (events.length === 0) return notFound(arg);
      if (json) process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
      else for (const e of events) process.stdout.write(`${String(e.revision).padStart(3)}  ${e.time}  ${e.type.padEnd(24)} ${String(e.metadata.actor ?? '').padEnd(16)} ${summary(e.data)}\n`);
      return 0;
    });
  }
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}\n`);
  return 2;
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  return 2;
}

function notFound(id: string): number {
  process.stderr.write(`no school with id ${id}\n`);
  return 1;
}

function summary(data: Record<string, unknown>): string {
  const keys = ['step', 'attempt', 'error', 'databaseName', 'method', 'schemaVersion', 'name', 'serialNumber', 'slug', 'reason', 'existed', 'messageId'];
  return keys.filter((k) => data[k] !== undefined).map((k) => `${k}=${String(data[k])}`).join(' ').slice(0, 160);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `scs: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
