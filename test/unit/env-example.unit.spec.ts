import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { loadConfig } from '../../src/config/config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/unit → project root
const SCRIPT = join(ROOT, 'scripts/env-example.mjs');
/** Read by the AWS SDK's default chain, not by loadConfig. */
const READ_BY_THE_AWS_SDK = ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'];

function run(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** Every variable name loadConfig looks at, over settings that reach each provider's branch. */
function variablesConfigReads(): string[] {
  const seen = new Set<string>();
  const settings: Array<Record<string, string>> = [
    {},
    { DNS_PROVIDER: 'powerdns', CERT_PROVIDER: 'acme', MAIL_PROVIDER: 'smtp', SCS_METRICS_PORT: '9464' },
    { DNS_PROVIDER: 'route53', CERT_PROVIDER: 'acm', MAIL_PROVIDER: 'ses', SCS_FAULTS: 'create_dns:fail' },
  ];
  for (const values of settings) {
    const env = new Proxy(values, {
      get: (target, name) => {
        if (typeof name === 'string') seen.add(name);
        return target[name as string];
      },
    });
    try {
      loadConfig(env, { dataDir: '/tmp/scs' });
    } catch {
      /* required settings of these providers are missing: they were still read */
    }
  }
  return [...seen].sort();
}

describe('.env.example and the README configuration table', () => {
  it('.env.example is what the table generates', () => {
    const check = run('--check');
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('the check fails, naming the variable, when the table and the file differ', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(
      '| `PORT`, `HOST` | `8080`,',
      '| `PORT`, `HOST` | `8081`,',
    );
    const copy = join(mkdtempSync(join(tmpdir(), 'scs-env-')), 'README.md');
    writeFileSync(copy, readme);
    const check = run('--check', '--readme', copy);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('# PORT: where the API listens (default: 8081)');
  });

  it('the table has every variable the service reads, and no other', () => {
    const listed = (JSON.parse(run('--list').stdout) as Array<{ name: string }>).map((v) => v.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...variablesConfigReads(), ...READ_BY_THE_AWS_SDK].sort());
  });

  it('the values it sets are the defaults: loaded with node --env-file, it configures SCS as no variables do', () => {
    const file = parseEnv(readFileSync(join(ROOT, '.env.example'), 'utf8'));
    expect(Object.keys(file)).toEqual(expect.arrayContaining(['PORT', 'NODE_ENV', 'SCS_CONCURRENCY', 'LOG_LEVEL']));
    expect(loadConfig(file, { dataDir: '/tmp/scs' })).toEqual(loadConfig({}, { dataDir: '/tmp/scs' }));
    const print = 'console.log(process.env.SCS_RETRY_BASE_MS)';
    const node = spawnSync(process.execPath, ['--env-file=.env.example', '-e', print], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(node.stdout.trim()).toBe('500');
  });
});
