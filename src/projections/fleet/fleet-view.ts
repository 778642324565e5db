import { IN_FLIGHT_STATUSES } from '../../domain/school/state.js';
import type { ViewEvent } from '../view-event.js';

/** One school as the fleet report counts it (a row of `report_fleet`); times are ISO strings. */
export interface FleetRow {
  school_id: string;
  slug: string;
  district: string;
  board: string;
  status: string;
  status_since: string;
  schema_version: string | null;
  certificate_not_after: string | null;
}

/** Statuses a school is on its way out of: the report lists one that stays too long as stuck. */
export const NON_TERMINAL: readonly string[] = IN_FLIGHT_STATUSES;

/** Folds one event into the school's fleet row. Pure; other and unknown event types change nothing. */
export function evolveFleet(row: FleetRow | undefined, event: ViewEvent): FleetRow | undefined {
  if (event.type === 'SchoolRequested') {
    const { schoolId, slug, district, board, requestedAt } = event.data;
    return {
      school_id: schoolId,
      slug,
      district,
      board,
      status: 'provisioning',
      status_since: requestedAt,
      schema_version: null,
      certificate_not_after: null,
    };
  }
  if (!row) return row;
  const status = (value: string): FleetRow => ({ ...row, status: value, status_since: event.metadata.now });
  switch (event.type) {
    case 'SchoolProvisioned':
      return status('active');
    case 'RollbackStarted':
      return status('rolling_back');
    case 'SchoolSuspensionRequested':
      return status('suspending');
    case 'SchoolSuspended':
      return status('suspended');
    case 'SchoolResumeRequested':
      return status('resuming');
    case 'SchoolResumed':
      return status('active');
    case 'SchoolRolledBack':
      return status('failed');
    case 'TeardownRequested':
      return status('deprovisioning');
    case 'SchoolDeleted':
    case 'SchoolRestoreFailed':
      return status('deleted');
    case 'SchoolRestoreRequested':
      return status('restoring');
    case 'SchoolRestored':
      return status('active');
    case 'SchoolDetailsChanged': {
      const { district = row.district, board = row.board } = event.data.changes;
      return { ...row, district, board };
    }
    case 'MigrationsApplied':
      return { ...row, schema_version: event.data.schemaVersion };
    case 'SchoolSchemaUpgraded':
      return { ...row, schema_version: event.data.to };
    case 'SchoolSchemaUpgradeFailed': // migrations before the failing one may have committed
      return { ...row, schema_version: event.data.version };
    case 'CertificateIssued':
    case 'CertificateRenewed':
      return { ...row, certificate_not_after: event.data.notAfter };
    case 'CertificateRevoked':
      return { ...row, certificate_not_after: null };
    default:
      return row;
  }
}

/** A row of `report_fleet_counts`: how many schools are in one combination (`schema_version` '' for none). */
export interface FleetCount {
  status: string;
  district: string;
  board: string;
  schema_version: string;
  with_certificate: boolean;
  n: number;
}

function countKey(row: FleetRow): Omit<FleetCount, 'n'> {
  const { status, district, board } = row;
  return {
    status,
    district,
    board,
    schema_version: row.schema_version ?? '',
    with_certificate: !!row.certificate_not_after,
  };
}

/**
 * Adds one school's move from `before` to `after` to `counts` (keyed by combination): one less in the
 * old combination, one more in the new. A combination it passes through stays with 0, so the combinations
 * listed depend on the events only, not on how they were batched. Pure apart from `counts`.
 */
export function countsOf(counts: Map<string, FleetCount>, before: FleetRow | undefined, after: FleetRow): void {
  const add = (row: FleetRow, n: number) => {
    const key = countKey(row);
    const id = JSON.stringify(Object.values(key));
    const count = counts.get(id) ?? { ...key, n: 0 };
    count.n += n;
    counts.set(id, count);
  };
  if (before) add(before, -1);
  add(after, 1);
}
