import type { ChangeableDetails, RegistryDetails, SchoolDetails } from './details.js';
import type {
  ArchiveRecord,
  CredentialsDeliveryRecord,
  CredentialsWithdrawalRecord,
  DnsPointing,
  RestoredArchive,
} from './event-records.js';
import type { ActionName, RecordedBy, StepName } from './steps.js';

import { RECORDED_BY } from './steps.js';

/** Timing and attempt of one step run, carried by every step event for the audit trail. */
export interface StepRun {
  attempt: number;
  startedAt: string;
  finishedAt: string;
}

type Event<Type extends string, Data> = { type: Type; data: Data };

export type SchoolEvent =
  | Event<
      'SchoolRequested',
      SchoolDetails & { schoolId: string; databaseName: string; subdomain: string; requestedAt: string }
    >
  | Event<'SlugReserved', StepRun & { slug: string; slugStream: string; slugRevision: number }>
  | Event<
      'DatabaseCreated',
      StepRun & {
        databaseName: string;
        /** `archive`: made empty and loaded from the school's archive (a restore). */
        method: 'template' | 'spare' | 'empty' | 'archive';
        alreadyExisted: boolean;
        durationMs: number;
        /** The tenant server it was placed on (a name, never a URL); absent before placement: `central`. */
        server?: string;
        /** A restore's database: the archive it was loaded from (its SHA-256 checked first) and what it held. */
        restoredFrom?: RestoredArchive;
      }
    >
  | Event<
      'MigrationsApplied',
      StepRun & {
        databaseName: string;
        schemaVersion: string;
        applied: string[];
        tableCount: number;
        durationMs: number;
        /** The credentials key the owner role's password was derived from (absent before key ids). */
        credentialsKeyId?: string;
        /** `drizzle`: recorded in drizzle.__drizzle_migrations; absent: in SCS's schema_migrations (before Drizzle). */
        recordedIn?: 'drizzle';
        /** The password's generation under that key (absent: 0; a restore makes a new one). */
        credentialsGeneration?: number;
      }
    >
  | Event<
      'DnsRecordCreated',
      StepRun & { provider: string; name: string; recordType: string; value: string; reference: string }
    >
  | Event<
      'CertificateIssued',
      StepRun & {
        provider: string;
        domain: string;
        reference: string;
        serialNumber: string;
        issuer: string;
        notBefore: string;
        notAfter: string;
      }
    >
  /**
   * The school's certificate was put where TLS is terminated (`delivery`: CERT_DELIVERY; `location`: the
   * folder or the load balancer listener; none with `none`); `changed`: false when it was there already;
   * `renewal`: delivered again by the renewer because the certificate (or CERT_DELIVERY) changed.
   */
  | Event<
      'CertificateDelivered',
      StepRun & {
        delivery: string;
        domain: string;
        serialNumber: string;
        location?: string;
        changed: boolean;
        renewal?: boolean;
      }
    >
  /** `details`: what the row was written with (absent before details could change: the request's). */
  | Event<
      'SchoolRegistered',
      StepRun & { alreadyRegistered: boolean; details?: RegistryDetails; credentials?: CredentialsDeliveryRecord }
    >
  | Event<'WelcomeEmailSent', StepRun & { provider: string; to: string; messageId: string }>
  /** A non-critical step failed for good: the school goes on with the step's warning (`STEP_ORDER`). */
  | Event<'NonCriticalStepFailed', StepRun & { step: StepName; error: string }>
  | Event<'SchoolProvisioned', { provisionedAt: string; durationMs: number }>
  | Event<
      'StepAttemptFailed',
      { step: ActionName; attempt: number; error: string; startedAt: string; finishedAt: string; retryAt: string }
    >
  | Event<'ProvisioningStepFailed', StepRun & { step: StepName; error: string }>
  | Event<'RollbackStarted', { failedStep: StepName; reason: string }>
  | Event<'TeardownRequested', { requestedAt: string; statusBefore: string }>
  | Event<
      'DatabaseDropped',
      StepRun & {
        databaseName: string;
        existed: boolean;
        terminatedConnections: number;
        /** The tenant server it was dropped on (absent: none was placed, or before placement). */
        server?: string;
        /** The final archive taken before a teardown dropped it (none on a rollback: nothing to keep). */
        archive?: ArchiveRecord;
      }
    >
  | Event<
      'DnsRecordDeleted',
      StepRun & {
        provider: string;
        name: string;
        recordType: string;
        existed: boolean;
        /** False when the record there is not this SCS instance's, so it was left (absent before ownership). */
        owned?: boolean;
        reference: string;
      }
    >
  | Event<'CertificateRevoked', StepRun & { provider: string; reference?: string; revoked: boolean }>
  /** The delivered certificate was taken away; `owned: false`: what is there is not this instance's, so it was left. */
  | Event<
      'CertificateWithdrawn',
      StepRun & { delivery: string; domain: string; location?: string; existed: boolean; owned: boolean }
    >
  | Event<'SchoolUnregistered', StepRun & { existed: boolean; credentials?: CredentialsWithdrawalRecord }>
  | Event<'SlugReleased', StepRun & { slug: string }>
  | Event<'SchoolRolledBack', { failedStep: StepName; reason: string; finishedAt: string }>
  | Event<'SchoolDeleted', { deletedAt: string }>
  | Event<
      'CertificateRenewed',
      {
        provider: string;
        domain: string;
        reference: string;
        serialNumber: string;
        issuer: string;
        notBefore: string;
        notAfter: string;
        previousSerialNumber: string;
        attempt: number;
        startedAt: string;
        finishedAt: string;
      }
    >
  | Event<
      'CertificateRenewalFailed',
      { serialNumber: string; attempt: number; error: string; retryAt: string; startedAt: string; finishedAt: string }
    >
  /** A live school's database was brought from schema `from` to `to` by a rollout (`migrations` ran, in order). */
  | Event<
      'SchoolSchemaUpgraded',
      {
        databaseName: string;
        from: string;
        to: string;
        migrations: string[];
        durationMs: number;
        attempt: number;
        startedAt: string;
        finishedAt: string;
        /** `drizzle`: the database records its migrations in drizzle.__drizzle_migrations from now on. */
        recordedIn?: 'drizzle';
        /**
         * Migrations the database had applied under SCS's schema_migrations, recorded by this upgrade in
         * Drizzle's table without running them again (`from` may then equal `to`).
         */
        adopted?: string[];
      }
    >
  /** A rollout's migration failed in this school's database and was rolled back; it stays on `version`. */
  | Event<
      'SchoolSchemaUpgradeFailed',
      {
        databaseName: string;
        migration: string;
        error: string;
        attempt: number;
        permanent: boolean;
        version: string;
        retryAt?: string;
        startedAt: string;
        finishedAt: string;
      }
    >
  /** A request claimed the slug but never recorded its school; written first, so it never will. */
  | Event<'SchoolRequestAbandoned', { schoolId: string; slug: string; reason: string }>
  /** The reconciler removed a resource of this school that the events said was gone (an audit fact). */
  | Event<'OrphanRemoved', { resource: string; name: string; detail: string; removedAt: string }>
  /** The owner role got a new password made with `keyId`, and the registry its copy sealed with it. */
  /** `school move`: the school's database is being copied to `to`; it is down until `SchoolMoved`. */
  | Event<'SchoolMoveStarted', { from: string; to: string; startedAt: string }>
  /** Its database is on `to` now (the registry row says so); the old one on `from` is dropped after this. */
  | Event<
      'SchoolMoved',
      {
        from: string;
        to: string;
        tables: number;
        rows: number;
        downtimeMs: number;
        startedAt: string;
        finishedAt: string;
        /** Where the connection on `to` was delivered (SCS_CREDENTIALS_DELIVERY; absent with `api`). */
        credentials?: CredentialsDeliveryRecord;
      }
    >
  /** The copy failed: the school stays on `from` (connections allowed again), the copy on `to` dropped. */
  | Event<'SchoolMoveFailed', { from: string; to: string; error: string; startedAt: string; finishedAt: string }>
  /**
   * A client (`actor`: an API key's id) was given the school's database password: the one made with
   * `keyId` (null: before key ids) and `generation`, never the password itself: audits show who read which
   * school's password, and which one.
   */
  | Event<'SchoolCredentialsRead', { actor: string; keyId: string | null; generation: number; readAt: string }>
  /** `PATCH /school/:id`: the fields that changed, their new values and the ones they had. */
  | Event<
      'SchoolDetailsChanged',
      { changes: Partial<ChangeableDetails>; previous: Partial<ChangeableDetails>; changedAt: string }
    >
  /** `POST /school/:id/suspend`: the school is to be suspended (`suspend_school`), for `reason`. */
  | Event<'SchoolSuspensionRequested', { reason: string; requestedAt: string; statusBefore: string }>
  /**
   * Its role cannot log in and its `terminatedSessions` ended; `dns`: its record as repointed at the
   * maintenance target (absent when SCHOOL_SUSPENDED_DNS_TARGET is not set: the record was left as it was).
   */
  | Event<'SchoolSuspended', StepRun & { reason: string; terminatedSessions: number; dns?: DnsPointing }>
  /** `POST /school/:id/resume`: the suspension is to be undone (`resume_school`). */
  | Event<'SchoolResumeRequested', { requestedAt: string; statusBefore: string }>
  /** Its role can log in again and `dns` is its record as pointed back at SCHOOL_DNS_TARGET. */
  | Event<'SchoolResumed', StepRun & { dns?: DnsPointing }>
  /**
   * `POST /school/:id/restore`: a deleted school is to be brought back from `archive` (its last teardown's),
   * with the same id and slug (claimed again: `SlugReserved` follows); `notify`: send a welcome-back email.
   */
  | Event<
      'SchoolRestoreRequested',
      { requestedAt: string; archive: ArchiveRecord & { archivedAt: string }; notify: boolean; statusBefore: string }
    >
  /** Every restore step done: the school is active again. */
  | Event<'SchoolRestored', { restoredAt: string; durationMs: number }>
  /** A restore step failed and everything it had made was undone: the school is deleted again. */
  | Event<'SchoolRestoreFailed', { failedStep: StepName; reason: string; finishedAt: string }>
  /** The registry row was written with these details (`existed: false`: there was no row to write). */
  | Event<'SchoolRegistryUpdated', StepRun & RegistryDetails & { existed: boolean }>
  | Event<
      'SchoolCredentialsRotated',
      {
        keyId: string;
        previousKeyId: string | null;
        generation: number;
        startedAt: string;
        finishedAt: string;
        /** Where the new password was delivered (SCS_CREDENTIALS_DELIVERY; absent with `api`). */
        credentials?: CredentialsDeliveryRecord;
      }
    >;

export type SchoolEventType = SchoolEvent['type'];
export type EventOf<T extends SchoolEventType> = Extract<SchoolEvent, { type: T }>;

/** The event that records each step's (or compensation's) success (from the step order). */
export const SUCCESS_EVENT: { [A in ActionName]: RecordedBy<A> & SchoolEventType } = RECORDED_BY;

/** School ids are generated UUIDs, in lowercase: anything else cannot name a school (and never reaches a query). */
export function isSchoolId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

export function schoolStreamId(schoolId: string): string {
  return `school-${schoolId}`;
}

export const SCHOOL_STREAM_PREFIX = 'school-';

export function schoolIdFromStream(streamId: string): string | undefined {
  return streamId.startsWith(SCHOOL_STREAM_PREFIX) ? streamId.slice(SCHOOL_STREAM_PREFIX.length) : undefined;
}
