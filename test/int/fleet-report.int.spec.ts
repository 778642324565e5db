import { randomUUID } from 'node:crypto';
import { COUNTS_TABLE, fleet } from '../../src/reports/fleet/fleet-projection.js';
import { fleetReport } from '../../src/reports/fleet/fleet-report.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { immediateWrites } from '../../src/projections/writes.js';
import { useCentralFixture } from '../support/central-fixture.js';
import { appendSchool } from '../support/event-store-fixtures.js';

/**
 * GET /reports/fleet from the counts the fleet projection keeps (central migration 0041): the same report
 * as aggregating one row per school, and the same counts however the events were batched.
 */
describe('the fleet report from its kept counts', () => {
  const central = useCentralFixture('scs_fleet_counts');
  const NOW = new Date('2026-11-25T10:00:00.000Z');

  beforeAll(async () => {
    // Requested only; up to its migrations; up to its certificate; active: in two districts.
    const schools: Array<[number, string]> = [
      [1, 'Pune'],
      [4, 'Pune'],
      [6, 'Nashik'],
      [10, 'Pune'],
      [10, 'Pune'],
      [10, 'Nashik'],
    ];
    for (const [upTo, district] of schools) {
      const id = randomUUID();
      await appendSchool(central.store, id, { slug: `fleet-${id.slice(0, 8)}`, district }, upTo);
    }
    await rebuildProjection(fleet, central.store, central.readSide);
  });

  it('answers what aggregating report_fleet answers', async () => {
    const report = await fleetReport(central.readSide, NOW, 60);
    const { rows: byStatus } = await central.readSide.query(
      `SELECT status, district, board, count(*)::int AS count FROM report_fleet
       GROUP BY status, district, board ORDER BY status, district, board`,
    );
    expect(report.byStatus).toEqual(byStatus);
    expect(report.byStatus.map((s) => [s.status, s.district, s.count])).toEqual([
      ['active', 'Nashik', 1],
      ['active', 'Pune', 2],
      ['provisioning', 'Nashik', 1],
      ['provisioning', 'Pune', 2],
    ]);
    const { rows: versions } = await central.readSide.query(
      `SELECT schema_version AS "schemaVersion", count(*)::int AS count FROM report_fleet WHERE status <> 'deleted'
       GROUP BY schema_version ORDER BY schema_version NULLS FIRST`,
    );
    expect(report.bySchemaVersion).toEqual(versions);
    expect(report.bySchemaVersion[0]).toEqual({ schemaVersion: null, count: 1 });
    const {
      rows: [expiry],
    } = await central.readSide.query(
      `SELECT count(*) FILTER (WHERE certificate_not_after <= $1::timestamptz + interval '7 days')::int AS "within7Days",
         count(*) FILTER (WHERE certificate_not_after > $1::timestamptz + interval '7 days'
           AND certificate_not_after <= $1::timestamptz + interval '30 days')::int AS "within30Days",
         count(*) FILTER (WHERE certificate_not_after > $1::timestamptz + interval '30 days')::int AS later
       FROM report_fleet WHERE status <> 'deleted' AND certificate_not_after IS NOT NULL`,
      [NOW.toISOString()],
    );
    expect(report.certificateExpiry).toEqual(expiry);
    expect(Object.values(report.certificateExpiry).reduce((a, b) => a + b)).toBe(4);
    // Again a year on: every certificate has expired (within 7 days counts the expired ones too).
    const later = await fleetReport(central.readSide, new Date('2027-11-25T10:00:00.000Z'), 60);
    expect(later.certificateExpiry).toEqual({ within7Days: 4, within30Days: 0, later: 0 });
  });

  it('keeps the same counts whether the events come one at a time or all at once', async () => {
    const { rows: pages } = await central.readSide.query(`SELECT * FROM ${COUNTS_TABLE} ORDER BY 1, 2, 3, 4, 5`);
    // Passed through on the way to active: kept at 0, so that a fold event by event lists them too.
    expect(pages.filter((r: { n: number }) => r.n === 0).length).toBeGreaterThan(0);
    const client = await central.readSide.connect();
    try {
      await client.query('BEGIN');
      const tables = { report_fleet: 'one_fleet', [COUNTS_TABLE]: 'one_counts' };
      await client.query('CREATE TEMP TABLE one_fleet (LIKE report_fleet INCLUDING ALL)');
      await client.query(`CREATE TEMP TABLE one_counts (LIKE ${COUNTS_TABLE} INCLUDING ALL)`);
      const context = { store: central.store, writes: immediateWrites(client) };
      for (const event of await central.store.readAll()) await fleet.apply(client, tables, [event], context);
      expect((await client.query('SELECT * FROM one_counts ORDER BY 1, 2, 3, 4, 5')).rows).toEqual(pages);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('is rebuilt when its counts are missing beside a counted fleet (a fleet from before migration 0041)', async () => {
    const db = central.readSide;
    expect(await fleet.needsRebuild!(db)).toBe(false);
    await central.readSide.query(`DELETE FROM ${COUNTS_TABLE}`);
    expect(await fleet.needsRebuild!(db)).toBe(true);
    await rebuildProjection(fleet, central.store, central.readSide);
    expect(await fleet.needsRebuild!(db)).toBe(false);
  });
});
