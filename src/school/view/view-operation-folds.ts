import type { OperationEvent } from '../../domain/school/evolve-operations.js';
import { unchanged, type ViewFolds } from './view-folds.js';

/** Work on a live school as the view shows it: its schema version, server and certificate. */
export const OPERATION_VIEW_FOLDS: ViewFolds<OperationEvent> = {
  SchoolSchemaUpgraded: (view, { to }) => ({ ...view, schemaVersion: to, schemaUpgrade: undefined }),
  SchoolSchemaUpgradeFailed: (view, data) => {
    const { migration, error, attempt: attempts, permanent, finishedAt: failedAt, retryAt, version } = data;
    const failure = { status: 'failed' as const, migration, error, attempts, permanent, failedAt };
    return { ...view, schemaVersion: version, schemaUpgrade: retryAt ? { ...failure, retryAt } : failure };
  },
  SchoolMoved: (view, { to }) => ({ ...view, server: to }),
  // The history shows a move under way or failed; the server changes only once moved.
  SchoolMoveStarted: unchanged,
  SchoolMoveFailed: unchanged,
  // Secrets stay out of the read model (the registry has the sealed copy); the history shows who read them.
  SchoolCredentialsRotated: unchanged,
  SchoolCredentialsRead: unchanged,
  OrphanRemoved: unchanged,
  CertificateRenewed: (view, data) => {
    const { provider, serialNumber, notBefore, notAfter, issuer, finishedAt: renewedAt } = data;
    // The delivered one stays what it was until the renewed certificate is delivered too.
    const delivered = view.certificate?.delivered;
    const certificate = { provider, serialNumber, notBefore, notAfter, issuer, renewedAt };
    return { ...view, certificate: delivered ? { ...certificate, delivered } : certificate };
  },
  CertificateRenewalFailed: (view, { attempt: attempts, error, retryAt }) => {
    if (!view.certificate) return view;
    return { ...view, certificate: { ...view.certificate, renewal: { attempts, error, retryAt } } };
  },
};
