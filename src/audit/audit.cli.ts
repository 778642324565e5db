import type { ReadPool } from '../projections/queryable.js';
import { READ_SIDE } from '../composition/tokens.js';
import { once } from 'node:events';
import { auditEvents, toAuditEvent, type AuditFilter } from './audit-log.js';
import { verifyStore } from './verify.js';
import { toFoldable } from '../school/school-stream.js';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../ports/school-registry.port.js';
import type { Command } from 'commander';
import { action, group, withContext, type JsonOption } from '../cli/cli.js';
import { diffProjectionRows } from '../projections/expected-rows.js';
import { PROJECTIONS } from '../projections/registry.js';
import { foldView } from '../school/view/evolve-view.js';
import { logProgress } from '../cli/progress.js';

const AUDIT_USAGE = `  audit export [--from <time>] [--to <time>] [--actor <id>] [--type <event type>]
                             every matching event as NDJSON on stdout, in store order (progress on stderr)
  audit verify [--json]      replay every event: revisions gap-free, every column of every projection row
                             (read model, reports) and each registry row compared with what the events give
                             (exit 1 on a mismatch: table, key, column, expected and actual)`;

interface AuditOptions {
  command?: string;
  from?: string;
  to?: string;
  actor?: string;
  type?: string;
  json: boolean;
}

/** What an audit reads: the events, the registry and the projections' tables. */
export interface AuditSource {
  store: EventStore;
  registry: SchoolRegistry;
  readSide: ReadPool;
}

export function auditSource(app: INestApplicationContext): AuditSource {
  const store = app.get<EventStore>(EVENT_STORE);
  return { store, registry: app.get<SchoolRegistry>(SCHOOL_REGISTRY), readSide: app.get<ReadPool>(READ_SIDE) };
}

/** `npm run scs -- audit export|verify`: returns the exit code. */
async function auditCommand(source: AuditSource, options: AuditOptions): Promise<number> {
  if (options.command === 'export') return exportEvents(source.store, options);
  if (options.command === 'verify') return verify(source, options.json);
  process.stderr.write(`usage:\n${AUDIT_USAGE}\n`);
  return 2;
}

async function exportEvents(store: EventStore, options: AuditOptions): Promise<number> {
  const time = (value: string | undefined, name: string) => {
    const t = value === undefined ? undefined : new Date(value);
    if (t && Number.isNaN(t.getTime())) throw new UsageError(`--${name} must be an ISO 8601 time`);
    return t;
  };
  let filter: AuditFilter;
  try {
    filter = { from: time(options.from, 'from'), to: time(options.to, 'to'), actor: options.actor, type: options.type };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nusage:\n${AUDIT_USAGE}\n`);
    return 2;
  }
  const bar = logProgress('exporting', await store.headPosition());
  let scanned = 0;
  let written = 0;
  for await (const event of auditEvents(store, filter, undefined, (p, n) => bar.update(p, (scanned = n)))) {
    // Wait for stdout to drain: memory stays at one page of events however many are exported.
    if (!process.stdout.write(`${JSON.stringify(toAuditEvent(event))}\n`)) await once(process.stdout, 'drain');
    written++;
  }
  bar.stop(scanned);
  process.stderr.write(`exported ${written} of ${scanned} events\n`);
  return 0;
}

async function verify(source: AuditSource, json: boolean): Promise<number> {
  const bar = logProgress('verifying', await source.store.headPosition());
  let count = 0;
  const report = await verifyEvents(source, (position, events) => bar.update(position, (count = events)));
  bar.stop(count);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`verified ${report.events} events in ${report.streams} streams, ${report.schools} schools\n`);
    for (const m of report.mismatches) {
      process.stdout.write(`${m.kind.padEnd(10)} ${m.streamId ?? m.kind}: ${m.detail}\n`);
    }
    process.stdout.write(`mismatches: ${report.mismatches.length}\n`);
  }
  return report.mismatches.length > 0 ? 1 : 0;
}

/** `audit verify`'s replay over the store, the projections and the registry (also the fleet bench's). */
export function verifyEvents(
  { store, registry, readSide }: AuditSource,
  onProgress?: Parameters<typeof verifyStore>[1],
): ReturnType<typeof verifyStore> {
  return verifyStore(
    {
      store,
      registry,
      projectionRows: () => diffProjectionRows(PROJECTIONS, store, readSide),
      fold: (events) => foldView(events.map(toFoldable)),
      expectedRegistry: (folded) => {
        const view = folded as ReturnType<typeof foldView>;
        const registered = view?.steps.find((s) => s.name === 'register_school')?.status === 'succeeded';
        if (!view || !registered) return undefined;
        const { slug, name, databaseName, subdomain, district, board, adminEmail } = view;
        return { slug, name, databaseName, subdomain, district, board, adminEmail };
      },
    },
    onProgress,
  );
}

class UsageError extends Error {}

/** `scs audit export|verify`: the whole log as NDJSON, or replayed against the read models. */
export function registerAudit(program: Command): void {
  const audit = group(program, 'audit', 'the event log for auditors');
  audit
    .command('export')
    .description('every matching event as NDJSON on stdout, in store order (progress on stderr)')
    .option('--from <time>', 'events recorded from this ISO 8601 time')
    .option('--to <time>', 'events recorded until this ISO 8601 time')
    .option('--actor <id>', "one actor's events (an API key's id, cli, process-manager, …)")
    .option('--type <type>', 'one event type')
    .action(
      action(async (options: Omit<AuditOptions, 'command' | 'json'>) =>
        withContext(({ app }) => auditCommand(auditSource(app), { ...options, command: 'export', json: false })),
      ),
    );
  audit
    .command('verify')
    .description(
      'replay every event: revisions gap-free, every column of every projection row (read model, reports) ' +
        'and each registry row compared with what the events give (exit 1 on a mismatch)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: JsonOption) =>
        withContext(({ app }) => auditCommand(auditSource(app), { command: 'verify', json: options.json === true })),
      ),
    );
}
