import type { RestoreView } from './school-view.js';
import { notRun, skipPending, withStatus } from './view-steps.js';
import { pointed, unchanged, type ViewFolds } from './view-folds.js';

type LifecycleEvent =
  | 'SchoolProvisioned'
  | 'SchoolRolledBack'
  | 'TeardownRequested'
  | 'SchoolDeleted'
  | 'SchoolDetailsChanged'
  | 'SchoolRegistryUpdated'
  | 'SchoolRestoreRequested'
  | 'SchoolRestored'
  | 'SchoolRestoreFailed'
  | 'SchoolSuspensionRequested'
  | 'SchoolSuspended'
  | 'SchoolResumeRequested'
  | 'SchoolResumed'
  | 'SchoolRequestAbandoned';

/** The school's status as it is provisioned, torn down, restored, changed, suspended and resumed. */
export const LIFECYCLE_VIEW_FOLDS: ViewFolds<LifecycleEvent> = {
  SchoolProvisioned: (view) => ({ ...view, status: 'active' }),
  SchoolRolledBack: (view) => skipPending({ ...view, status: 'failed' }),
  TeardownRequested: (view) => ({ ...view, status: 'deprovisioning' }),
  SchoolDeleted: (view) => skipPending({ ...view, status: 'deleted' }),
  SchoolDetailsChanged: (view, { changes }) => ({ ...view, ...changes }),
  // The registry row caught up with the details the view already shows.
  SchoolRegistryUpdated: unchanged,
  SchoolRestoreRequested: (view, { requestedAt, archive, notify }) => {
    const restore = { status: 'restoring' as const, requestedAt, archivedAt: archive.archivedAt, finishedAt: null };
    const { failedStep: _step, failureReason: _reason, ...rest } = view;
    const fresh = { ...rest, status: 'restoring', steps: notRun(), compensations: [], warnings: [], restore };
    return notify ? fresh : withStatus(fresh, 'send_welcome_email', 'skipped');
  },
  SchoolRestored: (view, { restoredAt }) => ({
    ...view,
    status: 'active',
    restore: view.restore && finished(view.restore, 'restored', restoredAt),
  }),
  SchoolRestoreFailed: (view, { failedStep, reason, finishedAt }) => {
    const restore = view.restore && { ...finished(view.restore, 'failed', finishedAt), failedStep, reason };
    return skipPending({ ...view, status: 'deleted', restore });
  },
  SchoolSuspensionRequested: (view, { reason, requestedAt }) => ({
    ...view,
    status: 'suspending',
    suspension: { reason, requestedAt, suspendedAt: null },
  }),
  SchoolSuspended: (view, { reason, finishedAt: suspendedAt, dns }) => {
    const requestedAt = view.suspension?.requestedAt ?? suspendedAt;
    return { ...pointed(view, dns), status: 'suspended', suspension: { reason, requestedAt, suspendedAt } };
  },
  SchoolResumeRequested: (view) => {
    const { retry: _retry, ...suspension } = view.suspension ?? { reason: '', requestedAt: '', suspendedAt: null };
    return { ...view, status: 'resuming', suspension };
  },
  SchoolResumed: (view, { dns }) => ({ ...pointed(view, dns), status: 'active', suspension: undefined }),
  // A dead request's stream: the school never existed.
  SchoolRequestAbandoned: unchanged,
};

function finished(restore: RestoreView, status: RestoreView['status'], at: string): RestoreView {
  return { ...restore, status, finishedAt: at };
}
