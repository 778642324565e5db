#!/usr/bin/env node
// The `scs` command (package.json "bin"): `npx scs …` or `node bin/scs.mjs …`. Its stdout is only the
// command's: a build of dist/ that src/ needs first writes to stderr, never stdout, so
// `npx scs audit export > file` holds the export alone (npm run prints its banner on stdout).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/src/cli/main.js');

// A checkout builds when its sources changed (as `npm run scs` does); the image has dist/ and no build script.
if (existsSync(join(root, 'scripts/build.mjs')) && existsSync(join(root, 'src'))) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-changed', '--quiet'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (build.status !== 0) {
    process.stderr.write(`scs: building dist/ failed (exit ${build.status ?? build.signal})\n`);
    process.exit(1);
  }
}
if (!existsSync(main)) {
  process.stderr.write(`scs: ${main} is missing: run npm run build\n`);
  process.exit(1);
}

// The node flags of `npm run scs`, so both ways run the CLI alike (its heap cap: see the README).
const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts?.scs ?? '';
const words = script.split(/\s+/);
const flags = words.slice(1, Math.max(1, words.indexOf('dist/src/cli/main.js')));

const child = spawn(process.execPath, [...flags, main, ...process.argv.slice(2)], { stdio: 'inherit' });
// A signal sent to this process alone (kill <pid>) reaches the CLI too; a terminal's ^C reaches both.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (!signal) process.exit(code ?? 1);
  process.removeAllListeners(signal); // die of the same signal, as the CLI did
  process.kill(process.pid, signal);
});
