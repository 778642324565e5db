import { type Folds, unchanged } from './fold-types.js';

/** The events of work on a live school, which the domain's fold and each view handle as one group. */
export type OperationEvent =
  | 'SchoolSchemaUpgraded'
  | 'SchoolSchemaUpgradeFailed'
  | 'SchoolMoveStarted'
  | 'SchoolMoved'
  | 'SchoolMoveFailed'
  | 'SchoolCredentialsRotated'
  | 'SchoolCredentialsRead'
  | 'CertificateRenewed'
  | 'CertificateRenewalFailed'
  | 'OrphanRemoved';

/** How the work on a live school changes it: schema upgrades, moves, credentials, certificate renewals. */
export const OPERATION_FOLDS: Folds<OperationEvent> = {
  SchoolSchemaUpgraded: (state, data) => {
    const recordedIn = data.recordedIn ? { schemaRecordedIn: data.recordedIn } : {};
    return { ...state, schemaVersion: data.to, schemaUpgradeFailure: undefined, ...recordedIn };
  },
  SchoolSchemaUpgradeFailed: (state, { migration, error, attempt, permanent, finishedAt, retryAt, version }) => {
    const failure = {
      migration,
      error,
      attempts: attempt,
      permanent,
      failedAt: finishedAt,
      ...(retryAt ? { retryAt } : {}),
    };
    return { ...state, schemaVersion: version, schemaUpgradeFailure: failure };
  },
  SchoolMoveStarted: (state, { to, startedAt }) => ({ ...state, move: { to, startedAt } }),
  SchoolMoved: (state, { to }) => ({ ...state, server: to, move: undefined }),
  SchoolMoveFailed: (state) => ({ ...state, move: undefined }),
  SchoolCredentialsRotated: (state, { keyId, generation }) => ({ ...state, credentials: { keyId, generation } }),
  // An audit fact: who was given the password.
  SchoolCredentialsRead: unchanged,
  CertificateRenewed: (state, data) => {
    const { provider, reference, serialNumber, notBefore, notAfter, issuer, finishedAt: renewedAt } = data;
    const certificate = { provider, reference, serialNumber, notBefore, notAfter, issuer, renewedAt };
    return { ...state, resources: { ...state.resources, certificate }, renewal: undefined };
  },
  CertificateRenewalFailed: (state, { attempt: attempts, error, retryAt }) => ({
    ...state,
    renewal: { attempts, error, retryAt },
  }),
  // An audit fact: what the reconciler removed.
  OrphanRemoved: unchanged,
};
