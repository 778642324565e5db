import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiContract } from './openapi.js';
import { StartupLog } from './startup-log.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/support → project root
export const API_KEY = 'test-key-0123456789abcdef';

export interface ScsProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** The service's own /openapi.json: every answer `request` receives is checked against it. */
  contract: ApiContract;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
  request(
    path: string,
    init?: RequestInit & { json?: unknown; key?: string | null },
  ): Promise<{ status: number; headers: Headers; body: any }>;
}

/**
 * Starts `node dist/src/main.js` as a real process against the given central database (without one, SCS
 * runs its embedded PostgreSQL in the data folder: set SCS_EMBEDDED_PG_PORT in `env`).
 */
export async function startScs(options: {
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
  /** How long it may take to listen (default 30 s). */
  startTimeoutMs?: number;
}): Promise<ScsProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'scs-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      SCS_DATA_DIR: dataDir,
      SCS_API_KEY: API_KEY,
      PORT: '0',
      HOST: '127.0.0.1',
      SCS_RETRY_BASE_MS: '50',
      SCS_RETRY_MAX_MS: '200',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new StartupLog(/listening on (http:\/\/localhost:\d+)/);
  const logs = output.chunks;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    // A process that did not start in time is killed, not left running (and holding connections) after the suite.
    const limit = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`SCS did not start in ${limit / 1000} s:\n${logs.join('')}`));
    }, limit);
    const onData = (chunk: Buffer) => {
      const match = output.push(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`SCS exited (${code ?? signal}) before listening:\n${logs.join('')}`));
    });
  });
  const contract = await ApiContract.load(url);
  const request: ScsProcess['request'] = async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set('X-SCS-Key', init.key ?? API_KEY);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(`${url}${path}`, { ...init, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    const method = init.method ?? 'GET';
    contract.check({
      method,
      url: path,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: parsed,
    });
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    url,
    dataDir,
    child,
    contract,
    logs,
    exited,
    request,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timeout);
      }
    },
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls GET /school/:id until its status is one of `statuses`. */
export async function waitForStatus(scs: ScsProcess, id: string, statuses: string[], timeoutMs = 30_000): Promise<any> {
  return waitFor(
    `school ${id} to be ${statuses.join('/')}`,
    async () => {
      const res = await scs.request(`/school/${id}`);
      return res.status === 200 && statuses.includes(res.body.status) ? res.body : undefined;
    },
    timeoutMs,
  );
}

let counter = 0;
export function schoolBody(slug?: string): Record<string, string> {
  const s = slug ?? `school-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  return {
    name: 'Greenwood High',
    slug: s,
    district: 'Pune',
    board: 'CBSE',
    adminEmail: 'admin@greenwood.example',
    phone: '+919876543210',
  };
}

/** Runs `scs reconcile` against a central database and returns its output (exit 1 when anything is found). */
export async function reconcileReport(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string }> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/src/cli/main.js'), 'reconcile'],
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
      (error, stdout) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

/** The events of a provisioned school, each exactly once. */
export const STEP_EVENTS = [
  'SchoolRequested',
  'SlugReserved',
  'DatabaseCreated',
  'MigrationsApplied',
  'DnsRecordCreated',
  'CertificateIssued',
  'CertificateDelivered',
  'SchoolRegistered',
  'WelcomeEmailSent',
  'SchoolProvisioned',
];

/**
 * A settled school's events: active with each step's event once, or cleanly failed (rolled back, each
 * event but the retried attempts at most once). Returns the status.
 */
export async function expectSettledOnce(scs: ScsProcess, id: string): Promise<string> {
  const school = await waitForStatus(scs, id, ['active', 'failed'], 90_000);
  const types: string[] = (await scs.request(`/school/${id}/history`)).body.events.map((e: { type: string }) => e.type);
  const count = (type: string) => types.filter((t) => t === type).length;
  if (school.status === 'active') {
    const once = Object.fromEntries(STEP_EVENTS.map((t) => [t, 1]));
    expect(Object.fromEntries(STEP_EVENTS.map((t) => [t, count(t)]))).toEqual(once);
  } else {
    expect(types.at(-1)).toBe('SchoolRolledBack');
    expect(types.filter((t) => t !== 'StepAttemptFailed' && count(t) > 1)).toEqual([]);
  }
  return school.status;
}

/** Waits until /ready answers 200. */
export async function waitForReady(scs: ScsProcess, timeoutMs = 30_000): Promise<void> {
  const ready = async () => ((await scs.request('/ready', { key: null })).status === 200 ? true : undefined);
  await waitFor('/ready', ready, timeoutMs);
}

/** Waits until the process has logged a line matching `pattern`. */
export async function waitForLog(scs: ScsProcess, pattern: RegExp, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const logged = async () => (pattern.test(scs.logs.join('')) ? true : undefined);
  await waitFor(`a log line ${pattern}`, logged, timeoutMs, everyMs);
}
