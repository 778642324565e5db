import type { INestApplicationContext } from '@nestjs/common';
import type { TenantServerState } from '../domain/school/placement.js';
import { TENANT_SERVERS, type TenantServers } from '../ports/tenant-servers.port.js';
import type { Command } from 'commander';
import { action, group, withContext, type JsonOption } from './cli.js';

const serversOf = (app: INestApplicationContext) => app.get<TenantServers>(TENANT_SERVERS);

const SERVERS_USAGE = 'servers list | drain <name> | open <name> [--capacity N|none] | close <name>';

interface ServersOptions {
  command?: string;
  name?: string;
  /** `none` removes the limit. */
  capacity?: string;
  json: boolean;
}

const STATES: Record<string, TenantServerState> = { drain: 'draining', open: 'open', close: 'closed' };

/** `npm run scs -- servers …`: exit 0, 1 for an unknown server, 2 for a usage error. */
async function serversCommand(servers: TenantServers, options: ServersOptions): Promise<number> {
  const { command, name } = options;
  if (command === 'list' || command === undefined) return list(servers, options.json);
  const state = STATES[command];
  if (!state || !name) {
    return usage(`servers ${command}: expected list, drain <name>, open <name> or close <name>`);
  }
  if (!servers.names.includes(name)) {
    process.stderr.write(`no tenant server "${name}" (SCS_TENANT_SERVERS lists ${servers.names.join(', ')})\n`);
    return 1;
  }
  const capacity = capacityOf(options.capacity, state);
  if (typeof capacity === 'string') return usage(capacity);
  await servers.setState(name, state, capacity);
  out(`tenant server ${name} is ${state}${capacity !== undefined ? ` (capacity ${capacity ?? 'none'})` : ''}`);
  return 0;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function list(servers: TenantServers, json: boolean): Promise<number> {
  const status = await servers.status();
  if (json) return (out(JSON.stringify({ servers: status }, null, 2)), 0);
  const header = `${'server'.padEnd(16)} ${'state'.padEnd(9)} ${'schools'.padStart(7)} ${'capacity'.padStart(8)}`;
  out(`${header} ${'spares'.padStart(6)}  reachable`);
  for (const s of status) {
    const reachable = s.reachable ? 'yes' : `no (${s.error ?? 'no answer'})`;
    const counts = `${String(s.schools).padStart(7)} ${String(s.capacity ?? '-').padStart(8)} ${String(s.spares ?? '-').padStart(6)}`;
    out(`${s.name.padEnd(16)} ${s.state.padEnd(9)} ${counts}  ${reachable}`);
  }
  return 0;
}

/** `--capacity`: a number, null for `none`, undefined when not given; a string is the usage error. */
function capacityOf(given: string | undefined, state: TenantServerState): number | null | undefined | string {
  if (given === undefined) return undefined;
  if (state !== 'open') return '--capacity goes with servers open';
  const capacity = given === 'none' ? null : Number(given);
  if (capacity !== null && !(Number.isInteger(capacity) && capacity > 0)) {
    return '--capacity must be a positive whole number of schools, or none';
  }
  return capacity;
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
      action(async (options: JsonOption) =>
        withContext(({ app }) => serversCommand(serversOf(app), { command: 'list', json: options.json === true })),
      ),
    );
  const change = (command: string, description: string, capacity = false) => {
    const sub = servers.command(command).argument('<name>', 'the server').description(description);
    if (capacity) sub.option('--capacity <n>', 'schools it may hold, or none');
    sub.action(
      action(async (name: string, options: { capacity?: string }) =>
        withContext(({ app }) =>
          serversCommand(serversOf(app), { command, name, capacity: options.capacity, json: false }),
        ),
      ),
    );
  };
  change('drain', 'no new school is placed there (its schools stay; move them to empty it)');
  change('open', 'new schools may be placed there again (optionally with a capacity)', true);
  change('close', 'no new school, as drain, for a server being retired');
}
