import type { SchoolDetails } from './details.js';
import type { ActionName, CompensationName, StepName } from './steps.js';

/** Timing and attempt of one step run, carried by every step event for the audit trail. */
export interface StepRun {
  attempt: number;
  startedAt: string;
  finishedAt: string;
}

type Event<Type extends string, Data> = { type: Type; data: Data };

export type SchoolEvent =
  | Event<'SchoolRequested', SchoolDetails & { schoolId: string; databaseName: string; subdomain: string; requestedAt: string }>
  | Event<'SlugReserved', StepRun & { slug: string; slugStream: string; slugRevision: number }>
  | Event<'DatabaseCreated', StepRun & { databaseName: string; method: 'template' | 'empty'; alreadyExisted: boolean; durationMs: number }>
  | Event<'MigrationsApplied', StepRun & { databaseName: string; schemaVersion: string; applied: string[]; tableCount: number; durationMs: number }>
  | Event<'DnsRecordCreated', StepRun & { provider: string; name: string; recordType: string; value: string; reference: string }>
  | Event<'CertificateIssued', StepRun & { provider: string; domain: string; reference: string; serialNumber: string; issuer: string; notBefore: string; notAfter: string }>
  | Event<'SchoolRegistered', StepRun & { alreadyRegistered: boolean }>
  | Event<'WelcomeEmailSent', StepRun & { provider: string; to: string; messageId: string }>
  | Event<'WelcomeEmailFailed', StepRun & { error: string }>
  | Event<'SchoolProvisioned', { provisionedAt: string; durationMs: number }>
  | Event<'StepAttemptFailed', { step: ActionName; attempt: number; error: string; startedAt: string; finishedAt: string; retryAt: string }>
  | Event<'ProvisioningStepFailed', StepRun & { step: StepName; error: string }>
  | Event<'RollbackStarted', { failedStep: StepName; reason: string }>
  | Event<'TeardownRequested', { requestedAt: string; statusBefore: string }>
  | Event<'DatabaseDropped', StepRun & {
      databaseName: string;
      existed: boolean;
      terminatedConnections: number;
      /** The final archive taken before a teardown dropped it (none on a rollback: nothing to keep). */
      archive?: { location: string; format: string; bytes: number; sha256: string; rows?: number };
    }>
  | Event<'DnsRecordDeleted', StepRun & { provider: string; name: string; recordType: string; existed: boolean; reference: string }>
  | Event<'CertificateRevoked', StepRun & { provider: string; reference?: string; revoked: boolean }>
  | Event<'SchoolUnregistered', StepRun & { existed: boolean }>
  | Event<'SlugReleased', StepRun & { slug: string }>
  | Event<'SchoolRolledBack', { failedStep: StepName; reason: string; finishedAt: string }>
  | Event<'SchoolDeleted', { deletedAt: string }>
  | Event<'CertificateRenewed', { provider: string; domain: string; reference: string; serialNumber: string; issuer: string; notBefore: string; notAfter: string; previousSerialNumber: string; attempt: number; startedAt: string; finishedAt: string }>
  | Event<'CertificateRenewalFailed', { serialNumber: string; attempt: number; error: string; retryAt: string; startedAt: string; finishedAt: string }>
  /** A request claimed the slug but never recorded its school; written first, so it never will. */
  | Event<'SchoolRequestAbandoned', { schoolId: string; slug: string; reason: string }>
  /** The reconciler removed a resource of this school that the events said was gone (an audit fact). */
  | Event<'OrphanRemoved', { resource: string; name: string; detail: string; removedAt: string }>;

export type SchoolEventType = SchoolEvent['type'];
export type EventOf<T extends SchoolEventType> = Extract<SchoolEvent, { type: T }>;

/** The event that records each step's (or compensation's) success. */
export const SUCCESS_EVENT: Record<ActionName, SchoolEventType> = {
  reserve_slug: 'SlugReserved',
  create_database: 'DatabaseCreated',
  run_migrations: 'MigrationsApplied',
  create_dns: 'DnsRecordCreated',
  issue_certificate: 'CertificateIssued',
  register_school: 'SchoolRegistered',
  send_welcome_email: 'WelcomeEmailSent',
  release_slug: 'SlugReleased',
  drop_database: 'DatabaseDropped',
  delete_dns: 'DnsRecordDeleted',
  revoke_certificate: 'CertificateRevoked',
  unregister_school: 'SchoolUnregistered',
} satisfies Record<StepName | CompensationName, SchoolEventType>;

export function schoolStreamId(schoolId: string): string {
  return `school-${schoolId}`;
}

export const SCHOOL_STREAM_PREFIX = 'school-';

export function schoolIdFromStream(streamId: string): string | undefined {
  return streamId.startsWith(SCHOOL_STREAM_PREFIX) ? streamId.slice(SCHOOL_STREAM_PREFIX.length) : undefined;
}
