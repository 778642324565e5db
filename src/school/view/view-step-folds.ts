import { serverOf } from '../../domain/school/placement.js';
import { isCompensationName, isLifecycleAction, type StepRecordedEvent } from '../../domain/school/steps.js';
import type { StepView } from './school-view.js';
import { stepWarned, withCompensation, withStep } from './view-steps.js';
import type { ViewFolds } from './view-folds.js';

/**
 * What a step's events show beyond the step's status (which comes from the step order): the server, the
 * schema version, the DNS record, the certificate and where it was delivered.
 */
export const STEP_VIEW_FOLDS: Partial<ViewFolds<StepRecordedEvent>> = {
  DatabaseCreated: (view, data) => ({ ...view, server: serverOf(data) }),
  MigrationsApplied: (view, { schemaVersion }) => ({ ...view, schemaVersion }),
  DnsRecordCreated: (view, { name, recordType: type, provider }) => ({ ...view, dns: { name, type, provider } }),
  DnsRecordDeleted: (view) => ({ ...view, dns: undefined }),
  CertificateIssued: (view, { provider, serialNumber, notBefore, notAfter, issuer }) => ({
    ...view,
    certificate: { provider, serialNumber, notBefore, notAfter, issuer },
  }),
  CertificateRevoked: (view) => ({ ...view, certificate: undefined }),
  CertificateDelivered: (view, { delivery, serialNumber, location, finishedAt: deliveredAt }) => {
    const delivered = { delivery, serialNumber, ...(location ? { location } : {}), deliveredAt };
    return view.certificate ? { ...view, certificate: { ...view.certificate, delivered } } : view;
  },
  CertificateWithdrawn: (view) => {
    if (!view.certificate) return view;
    const { delivered: _delivered, ...certificate } = view.certificate;
    return { ...view, certificate };
  },
};

/** A step's failed attempts and final failures. */
export const STEP_FAILURE_VIEW_FOLDS: ViewFolds<
  'StepAttemptFailed' | 'ProvisioningStepFailed' | 'NonCriticalStepFailed' | 'RollbackStarted'
> = {
  StepAttemptFailed: (view, { step: name, attempt: attempts, ...times }) => {
    if (isLifecycleAction(name)) {
      // Not a step: a suspension's (or its undoing's) shows under it; the registry's only in the history.
      if (name === 'update_registry' || !view.suspension) return view;
      const retry = { action: name, attempts, error: times.error, retryAt: times.retryAt };
      return { ...view, suspension: { ...view.suspension, retry } };
    }
    const failed: StepView = { name, status: 'retrying', attempts, ...times };
    return isCompensationName(name) ? withCompensation(view, failed) : withStep(view, failed);
  },
  ProvisioningStepFailed: (view, { step, attempt, startedAt, finishedAt, error }) => {
    const failed: StepView = { name: step, status: 'failed', attempts: attempt, startedAt, finishedAt, error };
    return { ...withStep(view, failed), failedStep: step, failureReason: error };
  },
  NonCriticalStepFailed: (view, data) => stepWarned(view, data.step, data),
  RollbackStarted: (view, { failedStep, reason }) => ({
    ...view,
    status: 'rolling_back',
    failedStep,
    failureReason: reason,
  }),
};
