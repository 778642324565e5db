import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/int → project root

/** `npm start`'s prestart (scripts/build.mjs --if-changed), run in a small project of the same layout. */
describe('scripts/build.mjs: npm start rebuilds only when the sources changed', () => {
  let dir: string;
  const build = (...args: string[]) =>
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
  const output = () => join(dir, 'dist/src/main.js');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scs-build-'));
    mkdirSync(join(dir, 'src/deep'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    writeFileSync(
      join(dir, 'tsconfig.build.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', outDir: 'dist', rootDir: '.', types: [] },
        include: ['src/**/*.ts'],
      }),
    );
    writeFileSync(join(dir, 'src/main.ts'), "import { answer } from './deep/answer.js';\nconsole.log(answer);\n");
    writeFileSync(join(dir, 'src/deep/answer.ts'), 'export const answer: number = 41;\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the first time, skips tsc while nothing changed, and rebuilds after a change anywhere in src/', () => {
    build('--if-changed');
    expect(readFileSync(output(), 'utf8')).toContain('console.log(answer)');
    const builtAt = statSync(output()).mtimeMs;

    const started = Date.now();
    expect(build('--if-changed')).toContain('up to date');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(statSync(output()).mtimeMs).toBe(builtAt);

    writeFileSync(join(dir, 'src/deep/answer.ts'), 'export const answer: number = 42;\n');
    expect(build('--if-changed')).not.toContain('up to date');
    expect(readFileSync(join(dir, 'dist/src/deep/answer.js'), 'utf8')).toContain('42');
  });

  it('rebuilds when dist/ was removed', () => {
    rmSync(join(dir, 'dist/src'), { recursive: true });
    expect(build('--if-changed')).not.toContain('up to date');
    expect(statSync(output()).isFile()).toBe(true);
  });
});
