import type { EventOf } from './events.js';
import { type Folds, unchanged } from './fold-types.js';
import { registryDetailsOf } from './details.js';
import { initialSteps, type SchoolState, type StepState } from './state.js';
import type { StepName } from './steps.js';

type LifecycleEvent =
  | 'SchoolProvisioned'
  | 'RollbackStarted'
  | 'SchoolRolledBack'
  | 'TeardownRequested'
  | 'SchoolDeleted'
  | 'SchoolRestoreRequested'
  | 'SchoolRestored'
  | 'SchoolRestoreFailed'
  | 'SchoolDetailsChanged'
  | 'SchoolRegistryUpdated'
  | 'SchoolSuspensionRequested'
  | 'SchoolSuspended'
  | 'SchoolResumeRequested'
  | 'SchoolResumed'
  | 'SchoolRequestAbandoned';

/** How the school's status moves: provisioned, rolled back, torn down, restored, changed, suspended, resumed. */
export const LIFECYCLE_FOLDS: Folds<LifecycleEvent> = {
  SchoolProvisioned: (state) => ({ ...state, status: 'active' }),
  RollbackStarted: (state, { failedStep: step, reason }) => ({
    ...state,
    status: 'rolling_back',
    failure: { step, reason },
  }),
  SchoolRolledBack: (state) => ({ ...state, status: 'failed', steps: skipPending(state.steps) }),
  TeardownRequested: (state) => ({ ...state, status: 'deprovisioning', pendingRetry: undefined }),
  SchoolDeleted: (state) => ({ ...state, status: 'deleted', steps: skipPending(state.steps), restore: undefined }),
  SchoolRestoreRequested: (state, data) => restoring(state, data),
  SchoolRestored: (state) => ({ ...state, status: 'active', restore: undefined }),
  SchoolRestoreFailed: (state, { failedStep: step, reason, finishedAt: failedAt }) => {
    const deleted = { ...state, status: 'deleted' as const, steps: skipPending(state.steps), restore: undefined };
    return { ...deleted, restoreFailure: { step, reason, failedAt } };
  },
  SchoolDetailsChanged: (state, { changes }) => ({ ...state, details: { ...state.details, ...changes } }),
  SchoolRegistryUpdated: (state, data) => ({
    ...state,
    registryDetails: registryDetailsOf(data),
    pendingRetry: undefined,
  }),
  SchoolSuspensionRequested: (state, { reason, requestedAt }) => {
    return { ...state, status: 'suspending', suspension: { reason, requestedAt }, pendingRetry: undefined };
  },
  SchoolSuspended: (state, { reason, finishedAt, dns }) => {
    const suspension = { reason, requestedAt: state.suspension?.requestedAt ?? '', suspendedAt: finishedAt };
    const next = { ...state, status: 'suspended' as const, suspension, pendingRetry: undefined };
    return { ...next, resources: pointedAt(state, dns) };
  },
  SchoolResumeRequested: (state) => ({ ...state, status: 'resuming', pendingRetry: undefined }),
  SchoolResumed: (state, { dns }) => {
    const next = { ...state, status: 'active' as const, suspension: undefined, pendingRetry: undefined };
    return { ...next, resources: pointedAt(state, dns) };
  },
  // Only ever the first event of a stream, which then never holds a school.
  SchoolRequestAbandoned: unchanged,
};

/** The school's resources with its DNS record as `dns` says it was pointed (unchanged without one). */
function pointedAt(state: SchoolState, dns: { name: string; recordType: string; provider: string } | undefined) {
  const r = state.resources;
  return dns ? { ...r, dns: { name: dns.name, recordType: dns.recordType, provider: dns.provider } } : r;
}

/**
 * A deleted school starts its steps again from the beginning, its undo list and failure cleared; without
 * `notify` there is no welcome-back email to send.
 */
function restoring(state: SchoolState, request: EventOf<'SchoolRestoreRequested'>['data']): SchoolState {
  const steps = initialSteps();
  if (!request.notify) steps.send_welcome_email = { ...steps.send_welcome_email, status: 'skipped' };
  const { requestedAt, notify, archive } = request;
  return {
    ...state,
    status: 'restoring',
    steps,
    undo: {},
    failure: undefined,
    restoreFailure: undefined,
    warnings: [],
    pendingRetry: undefined,
    restore: { requestedAt, notify, archive },
  };
}

function skipPending(steps: Record<StepName, StepState>): Record<StepName, StepState> {
  const entries = Object.entries(steps).map(([name, step]) => [
    name,
    step.status === 'pending' ? { ...step, status: 'skipped' } : step,
  ]);
  return Object.fromEntries(entries) as Record<StepName, StepState>;
}
