import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import { silentLogger } from '../ports/logger.port.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { EventStoreMismatchError } from '../adapters/postgres/central-database.js';
import { projectRoot } from '../shared/project-root.js';
import { createAppContext } from '../composition/create-app-context.js';

/** Exit codes (documented in the README): sysexits' EX_USAGE and EX_CONFIG where they apply. */
export const EXIT = { ok: 0, failed: 1, usage: 2, config: 78 } as const;

/** An exit code a command chose, with its message for stderr (not found, already deleted, …). */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** What an action gets besides its arguments: the service's composition, the actor. */
export interface CliRun {
  /** The adapters and use cases the service runs with (CoreModule): `app.get(TOKEN)` or `app.get(Class)`. */
  app: INestApplicationContext;
  /** Recorded as the events' actor, as an API key's id is for the API. */
  actor: 'cli';
  correlationId: string;
}

/**
 * Runs an action on the service's composition built from its own configuration (so a configuration error
 * exits 78, like the service) and closes it; the returned number is the exit code.
 */
export async function withContext(fn: (run: CliRun) => Promise<number>): Promise<number> {
  const config = loadConfig(process.env, { dataDir: join(projectRoot(), '.scs-data') });
  const app = await createAppContext(config, silentLogger);
  try {
    return await fn({ app, actor: 'cli', correlationId: randomUUID() });
  } finally {
    await app.close();
  }
}

/** The options of a command that takes --json (every command that prints data does). */
export type JsonOption = { json?: boolean };

/** Prints `data` as JSON with --json, else the human lines. */
export function print(json: boolean | undefined, data: unknown, human: () => string[]): void {
  process.stdout.write(
    json
      ? `${JSON.stringify(data, null, 2)}\n`
      : human()
          .map((l) => `${l}\n`)
          .join(''),
  );
}

/** Argument parsers (`school-ref.ts` has one for schools): a bad value is a usage error (exit 2) before connecting. */
export function intArg(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** The group command (`school`, `schools`, …) under the program, made on first use. */
export function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The program with our conventions; every command added to it afterwards inherits them. */
export function createProgram(): Command {
  return new Command('scs')
    .description(
      'Operate SCS from a shell, with the configuration of the service (DATABASE_URL, or the embedded ' +
        'PostgreSQL).',
    )
    .version(version(), '-V, --version')
    .helpOption('-h, --help', 'show help for this command')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 the command failed or found problems (or was not confirmed), 2 usage error
(also a command that removes or changes resources, run without --yes where stdin is not a terminal),
78 configuration error.
Every command that prints data takes --json. Such commands ask first on a terminal; --yes skips the
question, --dry-run (where offered) shows what would be done.`,
    );
}

/** Parses and runs; answers the exit code for any outcome (commander's own errors are usage errors). */
export async function run(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ConfigError || error instanceof EventStoreMismatchError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    if (error instanceof CliFailure) {
      process.stderr.write(`${error.message}\n`);
      return error.code;
    }
    process.stderr.write(`scs: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT.failed;
  }
}

/** Wraps an action that answers an exit code, for `.action(...)`. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = await fn(...args);
  };
}
