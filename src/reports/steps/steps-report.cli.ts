import { stepsReport } from './steps-report.js';
import type { ReportDefinition } from '../report-definition.js';

/** `scs report steps`: per step, compensation and renewal: runs, failures, durations (the top failures in a cell). */
export const STEPS_REPORT: ReportDefinition = {
  name: 'steps',
  async read({ readSide }, _options, range) {
    const lines = await stepsReport(readSide, range);
    const rows = lines.map((line) => ({
      ...line,
      topFailures: line.topFailures.map((f) => `${f.count}× ${f.reason}`).join('; '),
    }));
    return { whole: lines, rows };
  },
};
