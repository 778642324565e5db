import type { ViewEvent } from '../../projections/view-event.js';

/** One school's onboarding milestones (a row of `report_onboarding`); times are ISO strings. */
export interface OnboardingRow {
  school_id: string;
  district: string;
  board: string;
  requested_at: string;
  activated_at: string | null;
  failed_at: string | null;
  deleted_at: string | null;
}

/** Folds one event into the school's onboarding row. Pure; other and unknown event types change nothing. */
export function evolveOnboarding(row: OnboardingRow | undefined, event: ViewEvent): OnboardingRow | undefined {
  if (event.type === 'SchoolRequested') {
    const { schoolId, district, board, requestedAt } = event.data;
    return {
      school_id: schoolId,
      district,
      board,
      requested_at: requestedAt,
      activated_at: null,
      failed_at: null,
      deleted_at: null,
    };
  }
  if (!row) return row;
  switch (event.type) {
    case 'SchoolProvisioned':
      return { ...row, activated_at: event.data.provisionedAt };
    case 'SchoolRolledBack':
      return { ...row, failed_at: event.data.finishedAt };
    case 'SchoolDeleted':
      return { ...row, deleted_at: event.data.deletedAt };
    case 'SchoolRestored': // its onboarding stands as it was; it is not deleted any more
      return { ...row, deleted_at: null };
    case 'SchoolDetailsChanged': {
      // The report groups a school by its district and board as they are now (a corrected typo moves it).
      const { district = row.district, board = row.board } = event.data.changes;
      return { ...row, district, board };
    }
    default:
      return row;
  }
}
