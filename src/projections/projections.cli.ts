import type { ReadPool } from './queryable.js';
import { READ_SIDE } from '../composition/tokens.js';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { PROJECTIONS, projectionNamed } from './registry.js';
import { rebuildProjections } from './rebuild.js';
import { projectionStatuses } from './status.js';
import type { Command } from 'commander';
import { action, CliFailure, EXIT, group, withContext, type JsonOption } from '../cli/cli.js';
import { logProgress } from '../cli/progress.js';

interface ProjectionsOptions {
  command?: string;
  name?: string;
  all: boolean;
  json: boolean;
}

/** What the projections are read from and written to. */
interface ProjectionsSource {
  store: EventStore;
  readSide: ReadPool;
}

function projectionsSource(app: INestApplicationContext): ProjectionsSource {
  return { store: app.get<EventStore>(EVENT_STORE), readSide: app.get<ReadPool>(READ_SIDE) };
}

/** `npm run scs -- projections list|rebuild`: returns the exit code. */
async function projectionsCommand(
  { store, readSide }: ProjectionsSource,
  options: ProjectionsOptions,
): Promise<number> {
  if (options.command === 'list') {
    const statuses = await projectionStatuses(PROJECTIONS, store, readSide);
    if (options.json) process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
    else {
      process.stdout.write(
        `${'name'.padEnd(20)} ${'position'.padEnd(24)} ${'lag'.padStart(7)} ${'state'.padEnd(10)} last error\n`,
      );
      for (const s of statuses) {
        const lag = `${s.lag}${s.lagCapped ? '+' : ''}`;
        const line = `${s.name.padEnd(20)} ${(s.position ?? '-').padEnd(24)} ${lag.padStart(7)} ${s.state.padEnd(10)}`;
        process.stdout.write(`${line} ${s.lastError ?? '-'}\n`);
      }
    }
    return 0;
  }
  const chosen = options.all ? PROJECTIONS : [projectionNamed(options.name ?? '')].filter((p) => p !== undefined);
  if (chosen.length === 0) {
    const names = PROJECTIONS.map((p) => p.name).join(', ');
    throw new CliFailure(`name a projection (${names}) or give --all`, EXIT.usage);
  }
  // One read of the store fills every chosen projection (each still swaps in on its own).
  const names = chosen.map((p) => p.name).join(', ');
  const bar = logProgress(`rebuilding ${names}`, await store.headPosition());
  const started = performance.now();
  const result = await rebuildProjections(chosen, store, readSide, (p) => bar.update(p.position, p.events));
  bar.stop(result.events);
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
  const shared = chosen.length > 1 ? `, one read for all ${chosen.length}` : '';
  for (const projection of chosen) {
    process.stdout.write(
      `rebuilt ${projection.name}: ${result.events} events in ${seconds.toFixed(2)} s (${rate} events/s${shared})\n`,
    );
  }
  return 0;
}

/** `scs projections list|rebuild`: each projection's position, lag and state; an online rebuild of one or all. */
export function registerProjections(program: Command): void {
  const projections = group(program, 'projections', 'the read models and reports built from the events');
  projections
    .command('list')
    .description("each projection: position, lag (events behind the store's head), state, last error")
    .option('--json', 'print the list as JSON')
    .action(
      action(async (options: JsonOption) =>
        withContext(({ app }) =>
          projectionsCommand(projectionsSource(app), { command: 'list', all: false, json: options.json === true }),
        ),
      ),
    );
  projections
    .command('rebuild')
    .argument('[name]', `the projection (${PROJECTIONS.map((p) => p.name).join(', ')})`)
    .description(
      'rebuild from the first event into shadow tables and swap them in; the service may keep running ' +
        '(readers see the old tables until the swap)',
    )
    .option('--all', 'rebuild every projection')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (name: string | undefined, options: JsonOption & { all?: boolean }) =>
        withContext(({ app }) =>
          projectionsCommand(projectionsSource(app), {
            command: 'rebuild',
            name,
            all: options.all === true,
            json: options.json === true,
          }),
        ),
      ),
    );
}
