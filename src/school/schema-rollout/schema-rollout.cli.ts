import { planRollout, runRollout, type RolloutReport } from './schema-rollout.js';
import type { INestApplicationContext } from '@nestjs/common';
import type { Config } from '../../config/config.js';
import { CONFIG } from '../../composition/tokens.js';
import { SchemaRollouts } from './schema-rollouts.js';
import { TENANT_SERVERS, type TenantServers } from '../../ports/tenant-servers.port.js';
import { SchoolQueries } from '../view/school-queries.js';
import type { Command } from 'commander';
import { action, group, intArg, withContext } from '../../cli/cli.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';
import { confirm, destructive } from '../../cli/confirm.js';
import { progressBar } from '../../cli/progress.js';

interface SchoolsMigrateOptions {
  dryRun: boolean;
  only?: string;
  canary?: number;
  json: boolean;
  yes?: boolean;
}

/** What a rollout from the CLI works with. */
interface MigrateSource {
  rollouts: SchemaRollouts;
  /** The templates are brought up to date first. */
  servers: TenantServers;
  concurrency: number;
}

function migrateSource(app: INestApplicationContext): MigrateSource {
  const { concurrency } = app.get<Config>(CONFIG).schemaRollout;
  return { rollouts: app.get(SchemaRollouts), servers: app.get<TenantServers>(TENANT_SERVERS), concurrency };
}

async function schoolsMigrate(source: MigrateSource, options: SchoolsMigrateOptions): Promise<number> {
  const { deps } = source.rollouts;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const target = source.servers.currentSchemaVersion();
  if (options.dryRun) {
    const plan = await planRollout(deps, { concurrency: source.concurrency, only: options.only });
    if (options.json) return (out(JSON.stringify({ target, schools: plan }, null, 2)), 0);
    for (const p of plan) {
      const what = p.error
        ? `cannot read its schema: ${p.error}`
        : p.status!.mismatched.length
          ? `REFUSED: applied migration(s) changed since: ${p.status!.mismatched.join(', ')}`
          : `would run ${p.status!.pending.join(', ') || 'nothing (its database is current; the upgrade is recorded)'}` +
            (p.status!.format === 'schema_migrations'
              ? `; its ${p.from} applied migrations (schema_migrations) recorded in drizzle.__drizzle_migrations, not run`
              : '');
      out(`${p.schoolId}  ${p.slug.padEnd(24)} ${p.from} → ${target}: ${what}`);
    }
    out(`${plan.length} school(s) behind ${target}; nothing was changed`);
    return 0;
  }
  const which = options.only ? `school ${options.only}` : 'every live school behind it';
  await confirm(options, { what: `migrate ${which} to schema ${target}`, answer: 'yes' });
  // New schools are cloned from the template: bring it up to date first (issue: schools made during a rollout).
  await source.servers.ensureTemplates();
  const bar = progressBar(
    `schema rollout to ${target} [{bar}] {value}/{total} | upgraded {upgraded} | failed {failed} | left {left}`,
  );
  let started = false;
  const report = await runRollout(deps, {
    ...source.rollouts.options('cli'),
    only: options.only,
    canary: options.canary,
    onProgress: (p) => {
      if (!started) bar.start(Math.max(p.total, 1), 0, p);
      started = true;
      bar.update(p.upgraded + p.failed, p);
    },
  });
  bar.stop();
  if (options.json) out(JSON.stringify(report, null, 2));
  else printSummary(report, out);
  return report.failed > 0 || report.stoppedByCanary ? 1 : 0;
}

function printSummary(report: RolloutReport, out: (line: string) => void): void {
  const seconds = report.durationMs / 1000;
  const rate = seconds > 0 ? (report.upgraded / seconds).toFixed(1) : String(report.upgraded);
  out(
    `schema rollout to ${report.target}: ${report.upgraded} upgraded, ${report.failed} failed,` +
      ` ${report.notStarted} not started` +
      ` of ${report.total} in ${seconds.toFixed(2)} s (${rate} schools/s)`,
  );
  if (report.stoppedByCanary) out('stopped: a canary school failed, so no other school was started');
  for (const o of report.outcomes.filter((x) => x.result === 'failed')) {
    out(
      `failed  ${o.schoolId}  ${o.slug}: ${o.migration} after ${o.attempts} attempt(s), still on ${o.from}: ${o.error}`,
    );
  }
}

/** `scs schools migrate`: the newest school schema rolled out to every live school. */
export function registerSchoolsMigrate(program: Command): void {
  const migrate = group(program, 'schools', 'the schools').command('migrate');
  destructive(migrate, 'migrate school databases')
    .description(
      "bring every live school's database to the newest school schema (SCS_MIGRATION_CONCURRENCY at a " +
        'time); exit 1 when a school failed',
    )
    .option('--dry-run', 'list which schools would run which migrations; change nothing')
    .option('--only <school>', 'upgrade this school only (its id or slug)', schoolRefArg)
    .option('--canary <n>', 'upgrade n schools first and stop if one fails', intArg(1, 999_999))
    .option('--json', 'print the report as JSON')
    .action(
      action(async (options: { dryRun?: boolean; only?: string; canary?: number; json?: boolean; yes?: boolean }) =>
        withContext(async ({ app }) =>
          schoolsMigrate(migrateSource(app), {
            dryRun: options.dryRun === true,
            only: options.only && (await resolveSchool(app.get(SchoolQueries), options.only)),
            canary: options.canary,
            json: options.json === true,
            yes: options.yes,
          }),
        ),
      ),
    );
}
