/**
 * CPU time, read from /proc: of one process, and of a whole PostgreSQL server (its postmaster, every
 * backend and helper it started, and those it has already reaped), so that a burst can be split into
 * what SCS spent and what PostgreSQL spent, beside what PostgreSQL spends on the clones alone: whether a
 * slow burst spent more or waited more. (It moves too on this machine: the same clones cost 29-41 ms of
 * CPU each in some runs and 64-93 ms in others.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

interface ProcStat {
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime: children it has waited for, in ticks. */
  reaped: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone, or no /proc (not Linux)
  }
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  return {
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  };
}

/** CPU seconds (user + system) a process has used so far; undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  const stat = procStat(pid);
  return stat && stat.own / TICKS_PER_SECOND;
}

/**
 * A PostgreSQL server's CPU, when it runs on this machine (and in its process namespace): found from a
 * backend's pid, whose title must name the client port the bench connected from, so that a remote
 * server or one in a container is never mistaken for an unrelated local process.
 */
export class ServerCpu {
  private constructor(readonly postmasterPid: number) {}

  /** undefined when the server is not a local process that /proc can read. */
  static async locate(serverUrl: string): Promise<ServerCpu | undefined> {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0].pid;
      const port = (client as unknown as { connection: { stream: { localPort?: number } } }).connection.stream
        .localPort;
      let title: string;
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return undefined;
      }
      const mine = port === undefined ? title.includes('[local]') : title.includes(`(${port})`);
      const postmaster = procStat(pid)?.ppid;
      if (!mine || !postmaster) return undefined;
      return new ServerCpu(postmaster);
    } finally {
      await client.end();
    }
  }

  /**
   * CPU seconds the server has used so far: the postmaster's own, its live children's, and those of the
   * children it reaped. Read twice, the difference is what the server spent in between, including
   * backends that started and ended in between (each is counted once: live, or reaped).
   */
  seconds(): number {
    const postmaster = procStat(this.postmasterPid);
    if (!postmaster) throw new Error(`PostgreSQL's postmaster (pid ${this.postmasterPid}) is gone`);
    let ticks = postmaster.own + postmaster.reaped;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(Number(entry));
      if (stat?.ppid === this.postmasterPid) ticks += stat.own;
    }
    return ticks / TICKS_PER_SECOND;
  }
}

/** `fn`'s result, and the CPU seconds each source counted while it ran (undefined where one cannot be read). */
export async function measured<T>(
  sources: Record<string, (() => number | undefined) | undefined>,
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number | undefined> }> {
  const read = () =>
    Object.fromEntries(Object.entries(sources).map(([name, source]) => [name, source?.()])) as Record<
      string,
      number | undefined
    >;
  const before = read();
  const result = await fn();
  const after = read();
  const cpu: Record<string, number | undefined> = {};
  for (const name of Object.keys(sources)) {
    const [a, b] = [before[name], after[name]];
    cpu[name] = a === undefined || b === undefined ? undefined : b - a;
  }
  return { result, cpu };
}
