import type { Command } from 'commander';
import type { ReconcileReport } from './reconcile.js';
import { Reconciliation } from './reconciliation.js';
import { action, print, withContext, type CliRun } from '../cli/cli.js';
import { confirm, destructive } from '../cli/confirm.js';

interface ReconcileOptions {
  fix?: boolean;
  adopt?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

/**
 * `scs reconcile [--fix [--dry-run]] [--adopt]`: real resources against the events; exit 1 while a finding
 * other than a foreign one is left.
 */
export function registerReconcile(program: Command): void {
  const command = program.command('reconcile');
  destructive(command, 'remove orphans', (options) => options.fix === true)
    .description(
      'compare databases, DNS records, certificates, delivered certificates and credentials, and registry rows with the events; ' +
        'report orphans ' +
        'and drift (exit 1 when any is left)',
    )
    .option(
      '--fix',
      'remove orphans (only what this SCS instance owns), each recorded as an OrphanRemoved event (asks first on a terminal)',
    )
    .option('--adopt', "mark DNS records made before ownership records as their school's (those the events name)")
    .option('--dry-run', 'with --fix: list what it would remove and release; change nothing')
    .option('--json', 'print the report as JSON')
    .action(action(async (options: ReconcileOptions) => withContext((run) => reconcileCommand(run, options))));
}

async function reconcileCommand({ app, actor }: CliRun, options: ReconcileOptions): Promise<number> {
  const reconciliation = app.get(Reconciliation);
  const fix = options.fix === true && options.dryRun !== true;
  // Without --yes, the operator first sees what --fix would remove (a report changes nothing).
  const adopt = options.adopt === true && options.dryRun !== true;
  let report = await reconciliation.run(fix && options.yes === true, actor, adopt);
  const fixable = !fix || options.yes ? [] : removable(report);
  if (fixable.length > 0) {
    await confirm(options, { what: 'remove them', answer: 'yes', plan: fixable.map((l) => `would ${l}`) });
    report = await reconciliation.run(true, actor, adopt);
  }
  const planned = options.fix === true && options.dryRun === true;
  print(options.json, planned ? { ...report, dryRun: true } : report, () => lines(report, planned));
  // Foreign records are informational: they are not SCS's to fix.
  return report.findings.some((f) => !f.fixed && f.kind !== 'foreign') ? 1 : 0;
}

/** What --fix would do with this report: each orphan removed, each abandoned claim released. */
function removable(report: ReconcileReport): string[] {
  return [
    ...report.findings
      .filter((f) => f.kind === 'orphan')
      .map((f) => `remove ${f.resource} ${f.name}${f.schoolId ? ` (school ${f.schoolId})` : ''}`),
    ...report.abandonedClaims.map((c) => `release abandoned slug claim ${c.slug} (school ${c.schoolId})`),
  ];
}

function lines(report: ReconcileReport, planned: boolean): string[] {
  const c = report.checked;
  const count = (kind: string) => report.findings.filter((f) => f.kind === kind).length;
  const claim = (released: boolean) =>
    planned ? 'would be released by --fix' : released ? 'released' : 'the next request for it takes it over';
  return [
    `checked ${c.schools} schools: ${c.databases} databases, ${c.dnsRecords} DNS records, ${c.certificates} ` +
      `certificates, ${c.deliveries} delivered certificates, ${c.deliveredCredentials} delivered credentials, ${c.registryRows} registry rows (${c.skippedInFlight} in flight, left alone)`,
    ...report.findings.map(
      (f) =>
        `${f.kind.padEnd(7)} ${f.resource.padEnd(11)} ${f.name}` +
        `${f.schoolId ? ` (school ${f.schoolId})` : ''}: ${f.detail}` +
        `${f.fixed ? ' — removed' : planned && f.kind === 'orphan' ? ' — would be removed by --fix' : ''}` +
        `${f.adopted ? ' — adopted' : ''}`,
    ),
    `orphans: ${count('orphan')}, drift: ${count('drift')}, on a retired key: ${count('retired-key')}, ` +
      `foreign (left alone): ${count('foreign')}`,
    ...report.abandonedClaims.map(
      (c) => `abandoned slug claim ${c.slug} (school ${c.schoolId}, claimed ${c.claimedAt}): ${claim(c.released)}`,
    ),
    ...(planned ? ['dry run: nothing was changed'] : []),
  ];
}
