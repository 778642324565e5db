import { fleetReport } from './fleet-report.js';
import type { ReportDefinition } from '../report-definition.js';

/** `scs report fleet`: the fleet now, as rows of section, key and count (by status, schema, certificate, stuck). */
export const FLEET_REPORT: ReportDefinition = {
  name: 'fleet',
  async read({ readSide, clock, stuckAfterSeconds }) {
    const report = await fleetReport(readSide, clock.now(), stuckAfterSeconds);
    const rows = [
      ...report.byStatus.map((s) => ({
        section: 'status',
        key: `${s.status} ${s.district} ${s.board}`,
        count: s.count,
      })),
      ...report.bySchemaVersion.map((v) => ({ section: 'schema', key: v.schemaVersion ?? '(none)', count: v.count })),
      ...Object.entries(report.certificateExpiry).map(([key, count]) => ({ section: 'certificate', key, count })),
      ...report.stuck.map((s) => ({
        section: 'stuck',
        key: `${s.id} ${s.slug} ${s.status} since ${s.since}`,
        count: s.seconds,
      })),
    ];
    return { whole: report, rows };
  },
};
