import { readFileSync } from 'node:fs';

/**
 * The variables that hold secrets, each of which may instead name a file holding it (`<name>_FILE`, e.g. a
 * Docker or Kubernetes secret mounted as a file): read when `<name>` is unset or empty, a trailing newline
 * dropped; both set is a configuration problem.
 */
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'EVENTSTORE_CONNECTION_STRING',
  'SCS_API_KEY',
  'SCS_API_KEYS',
  'SCS_CREDENTIALS_KEY',
  'SCS_CREDENTIALS_KEYS',
  'SCS_TENANT_SERVERS',
  'POWERDNS_API_KEY',
  'SMTP_URL',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/** `env` with each secret read from its `_FILE` where that is set; `fromFile` gets the names read so. */
export function withSecretFiles(env: NodeJS.ProcessEnv, problems: string[], fromFile: Set<string>): NodeJS.ProcessEnv {
  const values = new Map<string, string | undefined>();
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`] || undefined;
    if (!file) continue;
    fromFile.add(name);
    values.set(name, env[name] ? bothSet(name, problems) : readSecretFile(name, file, problems));
  }
  if (values.size === 0) return env;
  // A view, not a copy: every other read still goes to `env` itself.
  return new Proxy(env, {
    get: (target, name) => (typeof name === 'string' && values.has(name) ? values.get(name) : target[name as string]),
  });
}

function bothSet(name: string, problems: string[]): undefined {
  problems.push(`set ${name} or ${name}_FILE, not both`);
  return undefined;
}

function readSecretFile(name: string, file: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    // The message names the file, never its contents.
    problems.push(`${name}_FILE=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}
