import pg from 'pg';
import { fleetOptions, runFleet, type FleetResults } from '../../bench/fleet.js';
import { BenchServer } from '../../bench/support/server.js';

// The fleet bench (`npm run bench -- --fleet 1000`, issue 34) at its smallest: the same code, four live
// schools with checkpoints at 2 and 4, and 20 generated ones; every figure present, nothing left behind.
describe('bench: the fleet', () => {
  it('reads its options; the checkpoints end at the fleet', () => {
    expect(fleetOptions(['--quick'])).toBeUndefined();
    expect(fleetOptions(['--fleet', '1000'])).toMatchObject({
      fleet: 1000,
      checkpoints: [100, 250, 500, 1000],
      simulated: 10_000,
    });
    expect(fleetOptions(['--fleet', '100', '--checkpoints', '50,25,100', '--simulated', '300'])).toMatchObject({
      checkpoints: [25, 50, 100],
      simulated: 300,
    });
    expect(() => fleetOptions(['--fleet', '100', '--checkpoints', '25,50'])).toThrow('the last checkpoint');
    expect(() => fleetOptions(['--fleet', 'many'])).toThrow('--fleet must be a positive whole number');
  });

  it('measures every row at each checkpoint and simulated size, then drops what it made', async () => {
    const server = await BenchServer.start();
    let results: FleetResults;
    try {
      results = await runFleet(server, {
        fleet: 4,
        checkpoints: [2, 4],
        simulated: 20,
        probe: 1,
        wave: 4,
        floorRuns: 1,
      });
    } finally {
      await server.stop();
    }
    const byId = new Map(results.metrics.map((m) => [m.id, m]));
    const real = ['2', '4'];
    const simulated = ['sim 2', 'sim 20'];
    for (const id of ['post_active_p50', 'spare_floor', 'reconcile', 'rollout'])
      expect(Object.keys(byId.get(id)!.values)).toEqual(real);
    const everywhere = ['report_fleet', 'schools_first', 'schools_last', 'schools_last_offset', 'audit_verify'];
    for (const id of [...everywhere, 'events', 'renewal_check', 'rss', 'heap'])
      expect(Object.keys(byId.get(id)!.values)).toEqual([...real, ...simulated]);
    for (const m of results.metrics) for (const v of Object.values(m.values)) expect(v).toBeGreaterThan(0);
    expect(Object.keys(results.floorRatios)).toEqual(real);
    expect(results.table).toContain('| `reconcile` |');
    expect(results.table).toContain('20 simulated');

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const left = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database
          WHERE datname = ANY($1) OR shobj_description(oid, 'pg_database') = ANY($2)`,
        [results.centrals, results.centrals.map((c) => `scs-owner:${c}`)],
      );
      expect(left.rows).toEqual([]);
    } finally {
      await client.end();
    }
  }, 240_000);
});
