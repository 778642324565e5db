import pg from 'pg';
import { measured, processCpuSeconds, ServerCpu } from '../../bench/support/cpu.js';
import { serverUrl } from '../support/databases.js';

// The bench's CPU split of a burst (SCS and PostgreSQL, beside the clones alone) reads /proc; the test
// server (CI's, or the embedded one) runs on this machine, as the bench's usually does.
describe('bench: CPU time of a local PostgreSQL server', () => {
  it('finds the server from a backend and counts what its backends spend, including one that ended', async () => {
    const cpu = await ServerCpu.locate(serverUrl());
    expect(cpu).toBeDefined();
    const client = new pg.Client({ connectionString: serverUrl() });
    await client.connect();
    const { result: wall, cpu: spent } = await measured({ postgres: () => cpu!.seconds() }, async () => {
      const t0 = performance.now();
      // CPU-bound in the backend, next to nothing in this process; the session then ends before the
      // second reading, so its time is counted through the postmaster's reaped children.
      await client.query('SELECT sum(i) FROM generate_series(1, 6000000) AS i');
      const elapsed = (performance.now() - t0) / 1000;
      await client.end();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return elapsed;
    });
    expect(spent.postgres).toBeGreaterThan(0.5 * wall);
    // Other sessions of the server may add a little; not several times the query.
    expect(spent.postgres).toBeLessThan(wall + 1);
  });

  it("reads a process's own CPU, and nothing for a process that is not there", async () => {
    // Compared with Node's own count of the same CPU time, not with the wall clock: on a loaded machine
    // 300 ms of spinning may get far less than 300 ms of CPU.
    const before = processCpuSeconds(process.pid)!;
    const usage = process.cpuUsage();
    const until = performance.now() + 300;
    let spin = 0;
    while (performance.now() < until) spin += Math.sqrt(spin + 1);
    expect(spin).toBeGreaterThan(0);
    const read = processCpuSeconds(process.pid)! - before;
    const { user, system } = process.cpuUsage(usage);
    const counted = (user + system) / 1e6;
    expect(counted).toBeGreaterThan(0.02);
    // /proc counts in clock ticks (10 ms): a few ticks apart at most.
    expect(Math.abs(read - counted)).toBeLessThan(0.05);
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined(); // above pid_max's ceiling: never a process
  });
});
