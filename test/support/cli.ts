import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY } from './scs-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/support → project root

/** Runs `scs <args>` (dist/src/cli/main.js) against a central database; `signal` is set when it was killed. */
export function runCli(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; signal?: string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/src/cli/main.js'), ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: databaseUrl,
          SCS_API_KEY: API_KEY,
          NODE_ENV: 'test',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: failed ? Number(failed.code ?? 1) : 0, signal: failed?.signal ?? undefined, stdout, stderr });
      },
    );
  });
}
