import type { ChangeableDetails, SchoolDetails } from './details.js';
import type { CredentialsDeliveryRecord } from './event-records.js';
import type { EventOf, SchoolEvent } from './events.js';
import type { ActionName } from './steps.js';

type Command<Type extends string, Data> = { type: Type; data: Data };

export type SchoolCommand =
  | Command<
      'RequestSchool',
      {
        schoolId: string;
        details: SchoolDetails;
        databaseName: string;
        subdomain: string;
        slugStream: string;
        slugRevision: number;
        now: string;
        /** Slugs the operator reserved besides the built-in ones (SCS_RESERVED_SLUGS). */
        reservedSlugs?: readonly string[];
      }
    >
  | Command<'RequestTeardown', { now: string }>
  /**
   * Bring a deleted school back from its archive (within `retentionDays` of it), its slug claimed again
   * (`slugStream` at `slugRevision`); `notify`: send a welcome-back email.
   */
  | Command<
      'RequestRestore',
      { now: string; notify: boolean; retentionDays: number; slugStream: string; slugRevision: number }
    >
  /** Suspend a live school (its role, its DNS name), for `reason`; the process manager does it. */
  | Command<'RequestSuspension', { reason: string; now: string }>
  /** Undo a suspension, done or under way. */
  | Command<'RequestResume', { now: string }>
  /**
   * New values for some of the details, already checked by the rules of creation (`validateDetailChanges`).
   * `expectedRevision`: the revision the caller saw (its If-Match); another is refused, nothing changed.
   */
  | Command<'ChangeDetails', { changes: Partial<ChangeableDetails>; expectedRevision?: number; now: string }>
  /** The process manager reports a step's (or compensation's) side effect as done. */
  | Command<'RecordStepResult', { action: ActionName; event: SchoolEvent; now: string }>
  /** The process manager reports a failed attempt; the policy (max attempts, next retry) comes with it. */
  | Command<
      'RecordStepFailure',
      {
        action: ActionName;
        attempt: number;
        error: string;
        permanent: boolean;
        maxAttempts: number;
        retryAt: string;
        startedAt: string;
        finishedAt: string;
        now: string;
      }
    >
  /** A renewed certificate replaces the school's current one (`previousSerialNumber`). */
  | Command<'RecordCertificateRenewal', { event: SchoolEvent & { type: 'CertificateRenewed' }; now: string }>
  | Command<
      'RecordCertificateRenewalFailure',
      {
        serialNumber: string;
        attempt: number;
        error: string;
        retryAt: string;
        startedAt: string;
        finishedAt: string;
        now: string;
      }
    >
  /** The renewer delivered a live school's current certificate again (after a renewal, or a new CERT_DELIVERY). */
  | Command<'RecordCertificateDelivery', { event: EventOf<'CertificateDelivered'>; now: string }>
  /** A live school's role and registry row were moved to new credentials (`generation` = the last + 1). */
  | Command<
      'RecordCredentialsRotation',
      {
        keyId: string;
        generation: number;
        startedAt: string;
        finishedAt: string;
        now: string;
        /** Where the new password was delivered (SCS_CREDENTIALS_DELIVERY other than `api`). */
        credentials?: CredentialsDeliveryRecord;
      }
    >
  /** `GET /school/:id/credentials`: `actor` is given the live school's connection details. */
  | Command<'RecordCredentialsRead', { actor: string; now: string }>
  /**
   * A rollout brought the school's database to `to` (`from` is what the database was at when the events
   * last knew it; `migrations` ran). Recorded once: a re-run after a crash finds it already recorded.
   */
  | Command<'RecordSchemaUpgrade', Omit<EventOf<'SchoolSchemaUpgraded'>['data'], 'from'> & { now: string }>
  /** A rollout's migration failed in the school's database; `version` is what the database is at now. */
  | Command<
      'RecordSchemaUpgradeFailure',
      EventOf<'SchoolSchemaUpgradeFailed'>['data'] & { applied: string[]; now: string }
    >
  /** `school move <id> --to <server>` starts (or resumes, for the same server) moving a live school. */
  | Command<'StartMove', { to: string; now: string }>
  /** The move's copy is in place and switched to: recorded once. */
  | Command<'RecordMove', Omit<EventOf<'SchoolMoved'>['data'], 'from'> & { now: string }>
  | Command<'RecordMoveFailure', Omit<EventOf<'SchoolMoveFailed'>['data'], 'from'> & { now: string }>
  /** Closes provisioning, rollback or teardown when nothing is left to do. */
  | Command<'Conclude', { now: string }>;
