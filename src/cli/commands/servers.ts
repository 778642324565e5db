import type { TenantServerState } from '../../domain/school/placement.js';
import type { Runtime } from '../../infrastructure/runtime.js';
import type { Command } from 'commander';
import { action, group, withRuntime } from '../cli.js';

const SERVERS_USAGE = 'servers list | drain <name> | open <name> [--capacity N|none] | close <name>';

export interface ServersOptions {
  command?: string;
  name?: string;
  /** `none` removes the limit. */
  capacity?: string;
  json: boolean;
}

const STATES: Record<string, TenantServerState> = { drain: 'draining', open: 'open', close: 'closed' };

/** `npm run scs -- servers …`: exit 0, 1 for an unknown server, 2 for a usage error. */
export async function serversCommand(runtime: Runtime, options: ServersOptions): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const { command, name } = options;
  if (command === 'list' || command === undefined) {
    const servers = await runtime.servers.status();
    if (options.json) return (out(JSON.stringify({ servers }, null, 2)), 0);
    const header = `${'server'.padEnd(16)} ${'state'.padEnd(9)} ${'schools'.padStart(7)} ${'capacity'.padStart(8)}`;
    out(`${header} ${'spares'.padStart(6)}  reachable`);
    for (const s of servers) {
      const reachable = s.reachable ? 'yes' : `no (${s.error ?? 'no answer'})`;
      const counts = `${String(s.schools).padStart(7)} ${String(s.capacity ?? '-').padStart(8)} ${String(s.spares ?? '-').padStart(6)}`;
      out(`${s.name.padEnd(16)} ${s.state.padEnd(9)} ${counts}  ${reachable}`);
    }
    return 0;
  }
  const state = command ? STATES[command] : undefined;
  if (!state || !name) {
    return usage(`servers ${command ?? ''}: expected list, drain <name>, open <name> or close <name>`);
  }
  if (!runtime.servers.names.includes(name)) {
    process.stderr.write(`no tenant server "${name}" (SCS_TENANT_SERVERS lists ${runtime.servers.names.join(', ')})\n`);
    return 1;
  }
  let capacity: number | null | undefined;
  if (options.capacity !== undefined) {
    if (state !== 'open') return usage('--capacity goes with servers open');
    capacity = options.capacity === 'none' ? null : Number(options.capacity);
    if (capacity !== null && !(Number.isInteger(capacity) && capacity > 0)) {
      return usage('--capacity must be a positive whole number of schools, or none');
    }
  }
  await runtime.servers.setState(name, state, capacity);
  out(`tenant server ${name} is ${state}${capacity !== undefined ? ` (capacity ${capacity ?? 'none'})` : ''}`);
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n\n${SERVERS_USAGE}\n`);
  return 2;
}

/** `scs servers list|drain|open|close`: the tenant servers and where new schools may go. */
export function registerServers(program: Command): void {
  const servers = group(program, 'servers', 'the tenant servers school databases live on (SCS_TENANT_SERVERS)');
  servers
    .command('list')
    .description('each server: state, schools, capacity, and whether it answers now')
    .option('--json', 'print the list as JSON')
    .action(
      action(async (options: { json?: boolean }) =>
        withRuntime(({ runtime }) => serversCommand(runtime, { command: 'list', json: options.json === true })),
      ),
    );
  const change = (command: string, description: string, capacity = false) => {
    const sub = servers.command(command).argument('<name>', 'the server').description(description);
    if (capacity) sub.option('--capacity <n>', 'schools it may hold, or none');
    sub.action(
      action(async (name: string, options: { capacity?: string }) =>
        withRuntime(({ runtime }) =>
          serversCommand(runtime, { command, name, capacity: options.capacity, json: false }),
        ),
      ),
    );
  };
  change('drain', 'no new school is placed there (its schools stay; move them to empty it)');
  change('open', 'new schools may be placed there again (optionally with a capacity)', true);
  change('close', 'no new school, as drain, for a server being retired');
}
