import type { StepStatus } from '../../domain/school/state.js';
import type { ActionName } from '../../domain/school/steps.js';
import { STEPS, UNDO_ORDER } from '../../domain/school/steps.js';

/**
 * The read model's own document: a school as the API shows it, built by `evolveView` from the events
 * (never the domain's state). Its shape is versioned: a stored row of another `SCHOOL_VIEW_VERSION`
 * is not read as a view, and the projection rebuilds the table when it finds one. The version is the
 * number below (bump it when `SchoolView` changes) and the step list, since every view lists the
 * steps: adding, removing or moving a step rebuilds the read model by itself.
 * 1: the domain's `SchoolState` (until 0009_read_model_view); 2: this `SchoolView`; 3: with `schemaVersion`;
 * 4: with `server`; 5: with `suspension`; 6: with `certificate.delivered`; 7: with `restore`.
 */
export const SCHOOL_VIEW_VERSION = `7:${STEPS.join(',')}`;

export interface StepView {
  name: ActionName;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** Only while the step waits for its retry. */
  retryAt?: string;
}

export interface CertificateView {
  provider: string;
  serialNumber: string;
  notBefore?: string;
  notAfter: string;
  issuer: string;
  renewedAt?: string;
  /** A renewal that failed and waits for its retry. */
  renewal?: { attempts: number; error: string; retryAt: string };
  /** Where the certificate was delivered (CERT_DELIVERY), and which serial (behind it until a renewal is delivered). */
  delivered?: DeliveredView;
}

export interface DeliveredView {
  delivery: string;
  serialNumber: string;
  location?: string;
  deliveredAt: string;
}

export interface SchemaUpgradeView {
  status: 'failed';
  migration: string;
  error: string;
  attempts: number;
  permanent: boolean;
  failedAt: string;
  retryAt?: string;
}

/** Why and since when a school is (being) suspended; shown while suspending, suspended and resuming. */
export interface SuspensionView {
  reason: string;
  requestedAt: string;
  /** Null until the school is suspended (its role locked out, its name repointed). */
  suspendedAt: string | null;
  /** The last failed attempt of the suspension (or of its undoing), until one succeeds. */
  retry?: { action: string; attempts: number; error: string; retryAt: string };
}

/** The school's last restore from its archive: under way, done, or failed (the school deleted again). */
export interface RestoreView {
  status: 'restoring' | 'restored' | 'failed';
  requestedAt: string;
  /** When the archive it loads was made (the teardown that dropped the database). */
  archivedAt: string;
  /** Null while under way. */
  finishedAt: string | null;
  /** Why it failed (status `failed`). */
  failedStep?: string;
  reason?: string;
}

export interface SchoolView {
  id: string;
  name: string;
  slug: string;
  databaseName: string;
  subdomain: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  district: string;
  board: string;
  adminEmail: string;
  phone: string;
  /** Every step, in step order. */
  steps: StepView[];
  /** The compensations run so far, in undo order. */
  compensations: StepView[];
  failedStep?: string;
  failureReason?: string;
  warnings: string[];
  certificate?: CertificateView;
  dns?: { name: string; type: string; provider: string };
  /** The school schema version of its database (null before run_migrations). */
  schemaVersion: string | null;
  /** The tenant server its database is on (null before create_database): where the school apps connect. */
  server: string | null;
  /** The last schema upgrade that failed, until one succeeds. */
  schemaUpgrade?: SchemaUpgradeView;
  suspension?: SuspensionView;
  restore?: RestoreView;
  /** Stream revision of the last event folded in. */
  revision: number;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function presentStep(step: StepView): StepView {
  const { name, status, attempts, startedAt, finishedAt, error, retryAt } = step;
  return { name, status, attempts, startedAt, finishedAt, error, ...optional('retryAt', retryAt) };
}

function presentRenewal(r: NonNullable<CertificateView['renewal']>): CertificateView['renewal'] {
  return { attempts: r.attempts, error: r.error, retryAt: r.retryAt };
}

function presentDelivered(d: DeliveredView): DeliveredView {
  const { delivery, serialNumber, location, deliveredAt } = d;
  return { delivery, serialNumber, ...optional('location', location), deliveredAt };
}

function presentCertificate(c: CertificateView): CertificateView {
  return {
    provider: c.provider,
    serialNumber: c.serialNumber,
    ...optional('notBefore', c.notBefore || undefined),
    notAfter: c.notAfter,
    issuer: c.issuer,
    ...optional('renewedAt', c.renewedAt || undefined),
    ...optional('renewal', c.renewal && presentRenewal(c.renewal)),
    ...optional('delivered', c.delivered && presentDelivered(c.delivered)),
  };
}

function presentSuspension(s: SuspensionView): SuspensionView {
  const retry = s.retry && {
    action: s.retry.action,
    attempts: s.retry.attempts,
    error: s.retry.error,
    retryAt: s.retry.retryAt,
  };
  return { reason: s.reason, requestedAt: s.requestedAt, suspendedAt: s.suspendedAt, ...optional('retry', retry) };
}

function presentRestore(r: RestoreView): RestoreView {
  const { status, requestedAt, archivedAt, finishedAt, failedStep, reason } = r;
  const failure = failedStep !== undefined ? { failedStep, reason } : {};
  return { status, requestedAt, archivedAt, finishedAt, ...failure };
}

function presentSchemaUpgrade(u: SchemaUpgradeView): SchemaUpgradeView {
  const { status, migration, error, attempts, permanent, failedAt, retryAt } = u;
  return { status, migration, error, attempts, permanent, failedAt, ...optional('retryAt', retryAt) };
}

/**
 * The view with its keys in the API's order (the row is jsonb, which does not keep key order: every object is
 * rebuilt, so the answer's bytes and its ETag are the same whether the view was folded from the stream or
 * read back from a row), and its steps in step order and compensations in undo order.
 */
export function presentSchool(v: SchoolView): SchoolView {
  const byOrder = (order: readonly string[]) => (a: StepView, b: StepView) =>
    order.indexOf(a.name) - order.indexOf(b.name);
  return {
    id: v.id,
    name: v.name,
    slug: v.slug,
    databaseName: v.databaseName,
    subdomain: v.subdomain,
    status: v.status,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    district: v.district,
    board: v.board,
    adminEmail: v.adminEmail,
    phone: v.phone,
    steps: [...v.steps].sort(byOrder(STEPS)).map(presentStep),
    compensations: [...v.compensations].sort(byOrder(UNDO_ORDER)).map(presentStep),
    ...(v.failedStep !== undefined ? { failedStep: v.failedStep, failureReason: v.failureReason } : {}),
    warnings: v.warnings,
    ...optional('certificate', v.certificate && presentCertificate(v.certificate)),
    ...optional('dns', v.dns && { name: v.dns.name, type: v.dns.type, provider: v.dns.provider }),
    schemaVersion: v.schemaVersion ?? null,
    server: v.server ?? null,
    ...optional('schemaUpgrade', v.schemaUpgrade && presentSchemaUpgrade(v.schemaUpgrade)),
    ...optional('suspension', v.suspension && presentSuspension(v.suspension)),
    ...optional('restore', v.restore && presentRestore(v.restore)),
    revision: v.revision,
  };
}
