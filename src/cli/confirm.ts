import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { CliFailure, EXIT } from './cli.js';

/**
 * Where an operator is asked: stdin, with the question on stderr so that stdout stays the command's
 * data. `input.isTTY` tells whether anyone is there to answer.
 */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export interface Confirmable {
  yes?: boolean;
  dryRun?: boolean;
}

const stdio = (): Terminal => ({ input: process.stdin, output: process.stderr });

/**
 * Marks a command that removes or changes resources: it takes `--yes`, and without it (or `--dry-run`)
 * it refuses before anything connects when stdin is not a terminal. `changes(options)`: whether these
 * options change anything (`reconcile` without `--fix` only reports).
 */
export function destructive(
  command: Command,
  what: string,
  changes: (options: Record<string, unknown>) => boolean = () => true,
): Command {
  return command
    .option('-y, --yes', 'go ahead without asking (needed when stdin is not a terminal)')
    .hook('preAction', (_, actionCommand) => {
      const options = actionCommand.opts();
      if (changes(options) && options.dryRun !== true) refuseUnattended(options, what);
    });
}

/** Exit 2, nothing done: without --yes only a terminal can confirm. */
function refuseUnattended(options: Confirmable, what: string, terminal: Terminal = stdio()): void {
  if (options.yes || terminal.input.isTTY) return;
  throw new CliFailure(
    `refusing to ${what} without --yes: stdin is not a terminal, so no one can confirm (nothing was done)`,
    EXIT.usage,
  );
}

/**
 * Shows what is about to happen and asks the operator to type `answer` (a school's slug, or `yes`);
 * any other answer, or the end of the input, stops the command with nothing done (exit 1). `--yes`
 * skips the question; without a terminal there is no one to ask (exit 2).
 */
export async function confirm(
  options: Confirmable,
  question: { what: string; answer: string; plan?: string[] },
  terminal: Terminal = stdio(),
): Promise<void> {
  if (options.yes) return;
  refuseUnattended(options, question.what, terminal);
  for (const line of question.plan ?? []) terminal.output.write(`${line}\n`);
  const typed = await ask(terminal, `Type ${question.answer} to ${question.what}: `);
  if (typed?.trim() !== question.answer) {
    throw new CliFailure('not confirmed: nothing was done', EXIT.failed);
  }
}

/** One line from the terminal, or undefined at the end of the input. */
function ask(terminal: Terminal, prompt: string): Promise<string | undefined> {
  const rl = createInterface({ input: terminal.input, output: terminal.output });
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      resolve(line);
      rl.close();
    });
    rl.once('close', () => resolve(undefined));
    rl.setPrompt(prompt);
    rl.prompt();
  });
}
