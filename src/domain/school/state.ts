import type { RegistryDetails, SchoolDetails } from './details.js';
import type { ArchiveRecord } from './event-records.js';
import type { ActionName, CompensationName, StepName } from './steps.js';
import { STEPS } from './steps.js';

/**
 * Every status a school can be in: provisioning → active; rolling_back → failed; active → suspending →
 * suspended → resuming → active; deprovisioning → deleted → restoring → active (or, its steps undone through
 * rolling_back, deleted again).
 */
export const SCHOOL_STATUSES = [
  'provisioning',
  'active',
  'suspending',
  'suspended',
  'resuming',
  'rolling_back',
  'failed',
  'deprovisioning',
  'deleted',
  'restoring',
] as const;
export type SchoolStatus = (typeof SCHOOL_STATUSES)[number];

export function isSchoolStatus(value: string): value is SchoolStatus {
  return (SCHOOL_STATUSES as readonly string[]).includes(value);
}

export type StepStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'warning' | 'skipped' | 'undone';
export const STEP_STATUSES: readonly StepStatus[] = [
  'pending',
  'retrying',
  'succeeded',
  'failed',
  'warning',
  'skipped',
  'undone',
];

export interface StepState {
  name: ActionName;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  retryAt?: string;
}

export interface SchoolState {
  id: string;
  details: SchoolDetails;
  databaseName: string;
  subdomain: string;
  status: SchoolStatus;
  createdAt: string;
  updatedAt: string;
  /** Stream revision of the last event folded in. */
  revision: number;
  steps: Record<StepName, StepState>;
  /** Compensations run so far (rollback or teardown). */
  undo: Partial<Record<CompensationName, StepState>>;
  /** What exists in the world because of this school, as far as the events tell. */
  resources: {
    slug: boolean;
    database: boolean;
    dns?: { name: string; recordType: string; provider: string };
    certificate?: {
      provider: string;
      reference: string;
      serialNumber: string;
      notBefore?: string;
      notAfter: string;
      issuer: string;
      renewedAt?: string;
    };
    /** Where the certificate was delivered (CERT_DELIVERY), and which one: behind the certificate after a renewal. */
    delivered?: { delivery: string; serialNumber: string; location?: string; at: string };
    registered: boolean;
  };
  /** What the registry row holds of the details, as the events tell (absent: no row). */
  registryDetails?: RegistryDetails;
  failure?: { step: StepName; reason: string };
  /** Asked for while suspending, suspended and resuming (`suspendedAt` once the school is suspended). */
  suspension?: { reason: string; requestedAt: string; suspendedAt?: string };
  warnings: string[];
  /** A certificate renewal that failed and waits for its retry (visible in the API). */
  renewal?: { attempts: number; error: string; retryAt: string };
  /**
   * The key (id) and generation the school database's password was made with; absent: before key ids.
   * Set by `run_migrations` and by each credentials rotation.
   */
  credentials?: CredentialsRef;
  /** The school schema version its database is at, as the events tell (MigrationsApplied, upgrades). */
  schemaVersion?: string;
  /** `drizzle` once its database records migrations in Drizzle's table; absent: SCS's schema_migrations. */
  schemaRecordedIn?: 'drizzle';
  /** The last schema upgrade that failed, until one succeeds (visible in the API). */
  schemaUpgradeFailure?: {
    migration: string;
    error: string;
    attempts: number;
    permanent: boolean;
    failedAt: string;
    retryAt?: string;
  };
  /** The tenant server its database is on (from `DatabaseCreated`; kept after a drop, for the audit). */
  server?: string;
  /** A move under way (`SchoolMoveStarted`, until `SchoolMoved` or `SchoolMoveFailed`). */
  move?: { to: string; startedAt: string };
  /** The last teardown's archive of its database (`archivedAt`: when it was dropped): what a restore loads. */
  archive?: ArchivedDatabase;
  /** A restore under way (restoring, or rolling back a failed one). */
  restore?: { requestedAt: string; notify: boolean; archive: ArchivedDatabase };
  /** Why the last restore failed (the school is deleted again), until another is asked for. */
  restoreFailure?: { step: StepName; reason: string; failedAt: string };
  /** A transient failure waiting for its retry. */
  pendingRetry?: { action: ActionName; attempt: number; retryAt: string };
}

export type ArchivedDatabase = ArchiveRecord & { archivedAt: string };

/**
 * The id SCS_CREDENTIALS_KEY (the single-key form) goes by; values made before key ids existed were made
 * with that key.
 */
export const DEFAULT_CREDENTIALS_KEY_ID = 'default';

/** Which password a school's role has: the credentials key's id and the rotation count. Never a secret. */
export interface CredentialsRef {
  keyId: string;
  generation: number;
}

export function initialSteps(): Record<StepName, StepState> {
  return Object.fromEntries(STEPS.map((name) => [name, { name, status: 'pending', attempts: 0 }])) as Record<
    StepName,
    StepState
  >;
}

/** Statuses a school stays in until asked otherwise (the others are on their way to one of these). */
export const TERMINAL_STATUSES: ReadonlySet<SchoolStatus> = new Set(['active', 'suspended', 'failed', 'deleted']);

/** On their way: the process manager has work for the school (the stuck alarm and report watch these). */
export const IN_FLIGHT_STATUSES: readonly SchoolStatus[] = SCHOOL_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s));

/**
 * A live school: provisioned and not being torn down, with its database, role, DNS record, certificate and
 * registry row. Suspended schools are live: schema rollouts, credential rotations and renewals include them.
 */
export function isLive(state: Pick<SchoolState, 'status'>): boolean {
  return state.status === 'active' || state.status === 'suspended';
}
