import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY } from './scs-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/support → project root

export interface CliResult {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs `scs <args>` (dist/src/cli/main.js) against a central database; `signal` is set when it was
 * killed. Its stdin is a pipe, not a terminal, as in a script.
 */
export function runCli(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runNode(join(ROOT, 'dist/src/cli/main.js'), databaseUrl, args, env);
}

/** Runs the package's `scs` bin (what `npx scs` runs: the launcher, which builds dist/ when src/ changed). */
export function runScsBin(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: { scs?: string } }).bin?.scs;
  if (!bin) throw new Error('package.json has no "bin": {"scs": …}');
  return runNode(join(ROOT, bin), databaseUrl, args, env);
}

function runNode(file: string, databaseUrl: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: databaseUrl,
          SCS_API_KEY: API_KEY,
          NODE_ENV: 'test',
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: failed ? Number(failed.code ?? 1) : 0, signal: failed?.signal ?? undefined, stdout, stderr });
      },
    );
  });
}
