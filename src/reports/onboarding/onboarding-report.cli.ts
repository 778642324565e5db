import { GROUPS, onboardingReport, PERIODS, type Group, type Period } from './onboarding-report.js';
import { ReportUsageError, type ReportDefinition } from '../report-definition.js';

/** `scs report onboarding [--period day|week|month] [--group-by district,board]`: schools requested per period. */
export const ONBOARDING_REPORT: ReportDefinition = {
  name: 'onboarding',
  async read({ readSide }, options, range) {
    const period = (options.period ?? 'day') as Period;
    if (!PERIODS.includes(period)) throw new ReportUsageError(`--period must be one of ${PERIODS.join(', ')}`);
    const groupBy = (options.groupBy ?? 'district,board').split(',').filter(Boolean) as Group[];
    if (groupBy.some((g) => !GROUPS.includes(g))) throw new ReportUsageError('--group-by is a list of district, board');
    const rows = (await onboardingReport(readSide, { ...range, period, groupBy })) as never;
    return { whole: rows, rows };
  },
};
