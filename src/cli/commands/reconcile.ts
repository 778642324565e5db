import type { Command } from 'commander';
import { action, print, withRuntime } from '../cli.js';

/**
 * `scs reconcile [--fix] [--adopt]`: real resources against the events; exit 1 while a finding other than
 * a foreign one is left.
 */
export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      'compare databases, DNS records, certificates and registry rows with the events; report orphans ' +
        'and drift (exit 1 when any is left)',
    )
    .option('--fix', 'remove orphans (only what this SCS instance owns), each recorded as an OrphanRemoved event')
    .option('--adopt', "mark DNS records made before ownership records as their school's (those the events name)")
    .option('--json', 'print the report as JSON')
    .action(
      action(async (options: { fix?: boolean; adopt?: boolean; json?: boolean }) =>
        withRuntime(async ({ runtime, actor }) => {
          const report = await runtime.reconcile(options.fix === true, actor, options.adopt === true);
          const count = (kind: string) => report.findings.filter((f) => f.kind === kind).length;
          print(options.json, report, () => {
            const c = report.checked;
            return [
              `checked ${c.schools} schools: ${c.databases} databases, ${c.dnsRecords} DNS records, ${c.certificates} ` +
                `certificates, ${c.registryRows} registry rows (${c.skippedInFlight} in flight, left alone)`,
              ...report.findings.map(
                (f) =>
                  `${f.kind.padEnd(7)} ${f.resource.padEnd(11)} ${f.name}` +
                  `${f.schoolId ? ` (school ${f.schoolId})` : ''}: ${f.detail}` +
                  `${f.fixed ? ' — removed' : ''}${f.adopted ? ' — adopted' : ''}`,
              ),
              `orphans: ${count('orphan')}, drift: ${count('drift')}, on a retired key: ${count('retired-key')}, ` +
                `foreign (left alone): ${count('foreign')}`,
              ...report.abandonedClaims.map(
                (c) =>
                  `abandoned slug claim ${c.slug} (school ${c.schoolId}, claimed ` +
                  `${c.claimedAt}): ${c.released ? 'released' : 'the next request for it takes it over'}`,
              ),
            ];
          });
          // Foreign records are informational: they are not SCS's to fix.
          return report.findings.some((f) => !f.fixed && f.kind !== 'foreign') ? 1 : 0;
        }),
      ),
    );
}
