import { SCHEMA_READS_AT_ONCE, schemaDrift } from '../../src/reconcile/reconcile-databases.js';
import type { TenantServers } from '../../src/ports/tenant-servers.port.js';
import type { SchoolState } from '../../src/domain/school/state.js';

// `reconcile` reads every live school's schema from its own database: at 1,000 schools one after another
// that was most of its time (issue 34's fleet bench). The reads overlap now, bounded, in the schools' order.
describe('reconcile: schema drift over the fleet', () => {
  const schools = Array.from(
    { length: 30 },
    (_, i) =>
      ({
        id: `id-${i}`,
        databaseName: `school_${String(i).padStart(32, '0')}`,
        schemaVersion: '0004',
        server: i % 2 ? 'two' : undefined,
      }) as unknown as SchoolState,
  );

  it('reads several schools at once, never more than its bound, and reports in the schools’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const servers = {
      on: (server: string) => ({
        schemaStatus: async (databaseName: string) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          const i = Number(databaseName.slice(-3));
          if (i === 7) throw new Error(`no database on ${server}`);
          return { databaseName, version: i % 10 === 3 ? '0003' : '0004', pending: [], mismatched: [] };
        },
      }),
    } as unknown as TenantServers;
    const findings = await schemaDrift(servers, schools);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(SCHEMA_READS_AT_ONCE);
    expect(findings.map((f) => [f.schoolId, f.detail])).toEqual([
      ['id-3', 'the events say schema 0004, the database is at 0003'],
      ['id-7', 'cannot read its schema: no database on two'],
      ['id-13', 'the events say schema 0004, the database is at 0003'],
      ['id-23', 'the events say schema 0004, the database is at 0003'],
    ]);
  });
});
