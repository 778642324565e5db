// Builds SCS (tsc -p tsconfig.build.json). With --if-changed it first compares a hash of everything the
// build reads (src/, the tsconfigs, package.json and package-lock.json, which pins TypeScript) with the
// hash stored by the last successful build, and skips tsc when they are equal: `npm start` then starts in
// well under a second instead of paying 10+ s of tsc for output that would not change.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const STAMP = join(root, 'dist', '.build-inputs.sha256');
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts'));
}

function inputsHash() {
  const hash = createHash('sha256');
  const all = [...INPUTS.map((f) => join(root, f)).filter((f) => existsSync(f)), ...files(join(root, 'src'))];
  for (const file of all.sort())
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

const hash = inputsHash();
const stamped = existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash;
const built = stamped && existsSync(join(root, 'dist/src/main.js'));
if (process.argv.includes('--if-changed') && built) {
  if (!process.argv.includes('--quiet')) process.stdout.write('dist/ is up to date with src/: not rebuilding\n');
} else {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(STAMP, `${hash}\n`);
}
