/** Every problem of a configuration, named at once so that one start-up attempt shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `SCS cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads variables from one environment and collects what is wrong with them instead of stopping at the
 * first: each reader answers a usable fallback after recording a problem, so parsing goes on.
 */
export class EnvReader {
  constructor(
    readonly env: NodeJS.ProcessEnv,
    /** Shared by every concern's parser, in the order they found them. */
    readonly problems: string[],
  ) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  /** The variable's value, or undefined when it is unset or empty. */
  optional(name: string): string | undefined {
    return this.env[name] || undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(`${name}=${raw} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  /** One of `allowed`, the first when unset. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const raw = this.env[name] || allowed[0];
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problem(`${name}=${raw} must be one of: ${allowed.join(', ')}`);
    return allowed[0];
  }

  /** `true`/`1` or `false`/`0` (any case); unset is false. */
  flag(name: string): boolean {
    const raw = (this.env[name] ?? '').toLowerCase();
    if (!['', 'true', 'false', '1', '0'].includes(raw)) this.problem(`${name}=${this.env[name]} must be true or false`);
    return ['true', '1'].includes(raw);
  }

  /** The value, or '' with a problem saying when it is needed (`why`). */
  required(name: string, why: string): string {
    const value = this.env[name];
    if (!value) this.problem(`${name} is required ${why}`);
    return value ?? '';
  }

  /** Records a problem unless `value` (read from `name`) is empty or a URL of one of `protocols`. */
  checkUrl(name: string, value: string, protocols: string[]): void {
    if (!value) return;
    try {
      if (!protocols.includes(new URL(value).protocol)) this.problem(`${name} must be a ${protocols.join(' or ')} URL`);
    } catch {
      this.problem(`${name} is not a valid URL`);
    }
  }
}

/** The entries of a comma-separated list, trimmed, empty ones dropped. */
export function listOf(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** The id of an API key or a credentials key. */
export const KEY_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
