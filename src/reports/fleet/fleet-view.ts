import { IN_FLIGHT_STATUSES } from '../../domain/school/state.js';
import type { EventOf, SchoolEventType } from '../../domain/school/events.js';
import type { ViewEvent } from '../../projections/view-event.js';

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
  const becomes = STATUS_AFTER[event.type];
  if (becomes) return { ...row, status: becomes, status_since: event.metadata.now };
  const fold = FLEET_FOLDS[event.type as keyof typeof FLEET_FOLDS] as
    ((r: FleetRow, data: unknown) => FleetRow) | undefined;
  return fold ? fold(row, event.data) : row;
}

/** The status each lifecycle event puts a school in, from the event's time. */
const STATUS_AFTER: Partial<Record<string, string>> = {
  SchoolProvisioned: 'active',
  RollbackStarted: 'rolling_back',
  SchoolSuspensionRequested: 'suspending',
  SchoolSuspended: 'suspended',
  SchoolResumeRequested: 'resuming',
  SchoolResumed: 'active',
  SchoolRolledBack: 'failed',
  TeardownRequested: 'deprovisioning',
  SchoolDeleted: 'deleted',
  SchoolRestoreFailed: 'deleted',
  SchoolRestoreRequested: 'restoring',
  SchoolRestored: 'active',
};

type Folds<T extends SchoolEventType> = { [K in T]: (row: FleetRow, data: EventOf<K>['data']) => FleetRow };

/** What else the report counts by: district and board, schema version, certificate. */
const FLEET_FOLDS: Folds<
  | 'SchoolDetailsChanged'
  | 'MigrationsApplied'
  | 'SchoolSchemaUpgraded'
  | 'SchoolSchemaUpgradeFailed'
  | 'CertificateIssued'
  | 'CertificateRenewed'
  | 'CertificateRevoked'
> = {
  SchoolDetailsChanged: (row, { changes: { district = row.district, board = row.board } }) => ({
    ...row,
    district,
    board,
  }),
  MigrationsApplied: (row, { schemaVersion }) => ({ ...row, schema_version: schemaVersion }),
  SchoolSchemaUpgraded: (row, { to }) => ({ ...row, schema_version: to }),
  // Migrations before the failing one may have committed.
  SchoolSchemaUpgradeFailed: (row, { version }) => ({ ...row, schema_version: version }),
  CertificateIssued: (row, { notAfter }) => ({ ...row, certificate_not_after: notAfter }),
  CertificateRenewed: (row, { notAfter }) => ({ ...row, certificate_not_after: notAfter }),
  CertificateRevoked: (row) => ({ ...row, certificate_not_after: null }),
};

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
