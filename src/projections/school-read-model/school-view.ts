import type { SchoolState, StepState } from '../../domain/school/state.js';
import { STEPS, UNDO_ORDER } from '../../domain/school/steps.js';

export interface StepView {
  name: string;
  status: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  retryAt?: string;
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
  steps: StepView[];
  compensations: StepView[];
  failedStep?: string;
  failureReason?: string;
  warnings: string[];
  certificate?: { provider: string; serialNumber: string; notBefore?: string; notAfter: string; issuer: string; renewedAt?: string; renewal?: { attempts: number; error: string; retryAt: string } };
  dns?: { name: string; type: string; provider: string };
  /** The school schema version of its database (null before run_migrations). */
  schemaVersion: string | null;
  /** The last schema upgrade that failed, until one succeeds. */
  schemaUpgrade?: { status: 'failed' } & NonNullable<SchoolState['schemaUpgradeFailure']>;
  revision: number;
}

function stepView(step: StepState): StepView {
  const view: StepView = {
    name: step.name,
    status: step.status,
    attempts: step.attempts,
    startedAt: step.startedAt ?? null,
    finishedAt: step.finishedAt ?? null,
    error: step.error ?? null,
  };
  if (step.retryAt && step.status === 'retrying') view.retryAt = step.retryAt;
  return view;
}

/** The API's view of a school, from its folded state. Pure, so a rebuild gives the same answer. */
export function toSchoolView(state: SchoolState): SchoolView {
  const { certificate, dns } = state.resources;
  return {
    id: state.id,
    name: state.details.name,
    slug: state.details.slug,
    databaseName: state.databaseName,
    subdomain: state.subdomain,
    status: state.status,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    district: state.details.district,
    board: state.details.board,
    adminEmail: state.details.adminEmail,
    phone: state.details.phone,
    // In step order: the stored document is jsonb, which does not keep key order.
    steps: STEPS.map((name) => stepView(state.steps[name])),
    compensations: UNDO_ORDER.flatMap((name) => (state.undo[name] ? [stepView(state.undo[name]!)] : [])),
    ...(state.failure ? { failedStep: state.failure.step, failureReason: state.failure.reason } : {}),
    warnings: state.warnings,
    ...(certificate ? {
      certificate: {
        provider: certificate.provider,
        serialNumber: certificate.serialNumber,
        ...(certificate.notBefore ? { notBefore: certificate.notBefore } : {}),
        notAfter: certificate.notAfter,
        issuer: certificate.issuer,
        ...(certificate.renewedAt ? { renewedAt: certificate.renewedAt } : {}),
        ...(state.renewal ? { renewal: state.renewal } : {}),
      },
    } : {}),
    ...(dns ? { dns: { name: dns.name, type: dns.recordType, provider: dns.provider } } : {}),
    schemaVersion: state.schemaVersion ?? null,
    ...(state.schemaUpgradeFailure
      ? { schemaUpgrade: { status: 'failed' as const, ...state.schemaUpgradeFailure } }
      : {}),
    revision: state.revision,
  };
}
