import type { Command } from 'commander';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { schoolHistory } from './school-history.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { notFound } from '../../cli/school-refusals.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

function summary(data: Record<string, unknown>): string {
  const keys = [
    'step',
    'attempt',
    'error',
    'databaseName',
    'method',
    'schemaVersion',
    'name',
    'serialNumber',
    'slug',
    'reason',
    'existed',
    'messageId',
  ];
  return keys
    .filter((k) => data[k] !== undefined)
    .map((k) => `${k}=${String(data[k])}`)
    .join(' ')
    .slice(0, 160);
}

/** `scs school history <id|slug>`: one school's events, as GET /school/:id/history. */
export function registerSchoolHistory(program: Command): void {
  group(program, 'school', 'one school, by id or slug')
    .command('history')
    .argument('<school>', 'its id or slug', schoolRefArg)
    .description("print a school's events in order")
    .option('--json', 'print the events as GET /school/:id/history does')
    .action(action(async (ref: string, options: JsonOption) => withContext((run) => history(ref, options, run))));
}

async function history(ref: string, options: JsonOption, { app }: CliRun): Promise<number> {
  const id = await resolveSchool(app.get(SchoolQueries), ref);
  const events = await schoolHistory(app.get<EventStore>(EVENT_STORE), id);
  if (events.length === 0) throw notFound(id);
  print(options.json, events, () =>
    events.map(
      (e) =>
        `${String(e.revision).padStart(3)}  ${e.time}  ` +
        `${e.type.padEnd(24)} ${String(e.metadata.actor ?? '').padEnd(16)} ${summary(e.data)}`,
    ),
  );
  return 0;
}
