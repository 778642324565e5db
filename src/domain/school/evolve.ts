import type { EventOf, SchoolEvent, StepRun } from './events.js';
import type { SchoolState, StepState } from './state.js';
import { initialSteps } from './state.js';
import type { ActionName, CompensationName, StepName } from './steps.js';
import { isCompensationName, isLifecycleAction } from './steps.js';
import { registryDetailsOf } from './details.js';
import { serverOf } from './placement.js';

/** An event as folded: the domain event plus when it was decided (from its metadata). */
export type FoldableEvent = SchoolEvent & { metadata?: { now?: string }; revision?: number };

function succeeded(run: StepRun, name: ActionName): StepState {
  return { name, status: 'succeeded', attempts: run.attempt, startedAt: run.startedAt, finishedAt: run.finishedAt };
}

function withStep(state: SchoolState, step: StepName, value: StepState): SchoolState {
  return { ...state, steps: { ...state.steps, [step]: value }, pendingRetry: undefined };
}

function withUndo(state: SchoolState, undo: CompensationName, run: StepRun, undone: StepName | undefined): SchoolState {
  // A step that failed stays `failed` (the compensation list shows its undo); one that succeeded is `undone`.
  const keep = !undone || state.steps[undone].status === 'failed';
  const steps = keep
    ? state.steps
    : { ...state.steps, [undone]: { ...state.steps[undone], status: 'undone' as const } };
  return { ...state, steps, undo: { ...state.undo, [undo]: succeeded(run, undo) }, pendingRetry: undefined };
}

/** Folds one event into the school's state. Pure: time comes from the event. */
export function evolve(state: SchoolState | undefined, event: FoldableEvent): SchoolState | undefined {
  if (event.type === 'SchoolRequested') {
    const d = event.data;
    return {
      id: d.schoolId,
      details: {
        name: d.name,
        slug: d.slug,
        district: d.district,
        board: d.board,
        adminEmail: d.adminEmail,
        phone: d.phone,
      },
      databaseName: d.databaseName,
      subdomain: d.subdomain,
      status: 'provisioning',
      createdAt: d.requestedAt,
      updatedAt: d.requestedAt,
      revision: event.revision ?? 0,
      steps: initialSteps(),
      undo: {},
      resources: { slug: false, database: false, registered: false },
      warnings: [],
    };
  }
  if (!state) return state;
  const next = apply(state, event);
  return { ...next, updatedAt: event.metadata?.now ?? next.updatedAt, revision: event.revision ?? state.revision + 1 };
}

function apply(state: SchoolState, event: SchoolEvent): SchoolState {
  const r = state.resources;
  switch (event.type) {
    case 'SchoolRequested':
      return state;
    case 'SlugReserved':
      return {
        ...withStep(state, 'reserve_slug', succeeded(event.data, 'reserve_slug')),
        resources: { ...r, slug: true },
      };
    case 'DatabaseCreated': {
      const created = withStep(state, 'create_database', succeeded(event.data, 'create_database'));
      return { ...created, resources: { ...r, database: true }, server: serverOf(event.data) };
    }
    case 'MigrationsApplied': {
      const keyId = event.data.credentialsKeyId;
      const migrated = withStep(state, 'run_migrations', succeeded(event.data, 'run_migrations'));
      const recordedIn = event.data.recordedIn ? { schemaRecordedIn: event.data.recordedIn } : {};
      const next = { ...migrated, schemaVersion: event.data.schemaVersion, ...recordedIn };
      const generation = event.data.credentialsGeneration ?? 0;
      return keyId ? { ...next, credentials: { keyId, generation } } : next;
    }
    case 'SchoolSchemaUpgraded': {
      const recordedIn = event.data.recordedIn ? { schemaRecordedIn: event.data.recordedIn } : {};
      return { ...state, schemaVersion: event.data.to, schemaUpgradeFailure: undefined, ...recordedIn };
    }
    case 'SchoolSchemaUpgradeFailed': {
      const { migration, error, attempt, permanent, finishedAt, retryAt, version } = event.data;
      const failure = {
        migration,
        error,
        attempts: attempt,
        permanent,
        failedAt: finishedAt,
        ...(retryAt ? { retryAt } : {}),
      };
      return { ...state, schemaVersion: version, schemaUpgradeFailure: failure };
    }
    case 'DnsRecordCreated': {
      const dns = { name: event.data.name, recordType: event.data.recordType, provider: event.data.provider };
      return { ...withStep(state, 'create_dns', succeeded(event.data, 'create_dns')), resources: { ...r, dns } };
    }
    case 'CertificateIssued': {
      const { provider, reference, serialNumber, notBefore, notAfter, issuer } = event.data;
      const certificate = { provider, reference, serialNumber, notBefore, notAfter, issuer };
      return {
        ...withStep(state, 'issue_certificate', succeeded(event.data, 'issue_certificate')),
        resources: { ...r, certificate },
      };
    }
    case 'CertificateDelivered': {
      const { delivery, serialNumber, location, finishedAt: at } = event.data;
      const delivered = { delivery, serialNumber, ...(location ? { location } : {}), at };
      // A delivery after a renewal leaves the provisioning step as it was.
      const step = state.steps.deliver_certificate.status === 'succeeded';
      const next = step ? state : withStep(state, 'deliver_certificate', succeeded(event.data, 'deliver_certificate'));
      return { ...next, resources: { ...r, delivered } };
    }
    case 'SchoolRegistered':
      return {
        ...withStep(state, 'register_school', succeeded(event.data, 'register_school')),
        resources: { ...r, registered: true },
        registryDetails: event.data.details ?? registryDetailsOf(state.details),
      };
    case 'SchoolDetailsChanged':
      return { ...state, details: { ...state.details, ...event.data.changes } };
    case 'SchoolSuspensionRequested': {
      const suspension = { reason: event.data.reason, requestedAt: event.data.requestedAt };
      return { ...state, status: 'suspending', suspension, pendingRetry: undefined };
    }
    case 'SchoolSuspended': {
      const suspension = { reason: event.data.reason, requestedAt: state.suspension?.requestedAt ?? '' };
      const suspended = { ...suspension, suspendedAt: event.data.finishedAt };
      const next = { ...state, status: 'suspended' as const, suspension: suspended, pendingRetry: undefined };
      return { ...next, resources: pointedAt(state, event.data.dns) };
    }
    case 'SchoolResumeRequested':
      return { ...state, status: 'resuming', pendingRetry: undefined };
    case 'SchoolResumed': {
      const next = { ...state, status: 'active' as const, suspension: undefined, pendingRetry: undefined };
      return { ...next, resources: pointedAt(state, event.data.dns) };
    }
    case 'SchoolRegistryUpdated':
      return { ...state, registryDetails: registryDetailsOf(event.data), pendingRetry: undefined };
    case 'WelcomeEmailSent':
      return withStep(state, 'send_welcome_email', succeeded(event.data, 'send_welcome_email'));
    case 'WelcomeEmailFailed': {
      const step: StepState = {
        ...succeeded(event.data, 'send_welcome_email'),
        status: 'warning',
        error: event.data.error,
      };
      return {
        ...withStep(state, 'send_welcome_email', step),
        warnings: [...state.warnings, `welcome email not sent: ${event.data.error}`],
      };
    }
    case 'SchoolProvisioned':
      return { ...state, status: 'active' };
    case 'StepAttemptFailed': {
      const { step, attempt, error, startedAt, finishedAt, retryAt } = event.data;
      const failed: StepState = {
        name: step,
        status: 'retrying',
        attempts: attempt,
        startedAt,
        finishedAt,
        error,
        retryAt,
      };
      const pendingRetry = { action: step, attempt, retryAt };
      if (isLifecycleAction(step)) return { ...state, pendingRetry };
      if (isCompensationName(step)) return { ...state, undo: { ...state.undo, [step]: failed }, pendingRetry };
      return { ...state, steps: { ...state.steps, [step]: failed }, pendingRetry };
    }
    case 'ProvisioningStepFailed': {
      const { step, attempt, startedAt, finishedAt, error } = event.data;
      const failed: StepState = { name: step, status: 'failed', attempts: attempt, startedAt, finishedAt, error };
      return { ...withStep(state, step, failed), failure: { step, reason: error } };
    }
    case 'RollbackStarted':
      return { ...state, status: 'rolling_back', failure: { step: event.data.failedStep, reason: event.data.reason } };
    case 'TeardownRequested':
      return { ...state, status: 'deprovisioning', pendingRetry: undefined };
    case 'DatabaseDropped': {
      const next = withUndo(state, 'drop_database', event.data, 'create_database');
      const steps =
        state.steps.run_migrations.status === 'succeeded'
          ? { ...next.steps, run_migrations: { ...next.steps.run_migrations, status: 'undone' as const } }
          : next.steps;
      // A rollback's drop keeps no archive: the teardown's stays the one a restore loads.
      const kept = event.data.archive;
      const archive = kept ? { ...kept, archivedAt: event.data.finishedAt } : state.archive;
      return { ...next, steps, resources: { ...r, database: false }, archive };
    }
    case 'DnsRecordDeleted':
      return { ...withUndo(state, 'delete_dns', event.data, 'create_dns'), resources: { ...r, dns: undefined } };
    case 'CertificateWithdrawn':
      return {
        ...withUndo(state, 'withdraw_certificate', event.data, 'deliver_certificate'),
        resources: { ...r, delivered: undefined },
      };
    case 'CertificateRevoked':
      return {
        ...withUndo(state, 'revoke_certificate', event.data, 'issue_certificate'),
        resources: { ...r, certificate: undefined },
      };
    case 'SchoolUnregistered':
      return {
        ...withUndo(state, 'unregister_school', event.data, 'register_school'),
        resources: { ...r, registered: false },
        registryDetails: undefined,
      };
    case 'SlugReleased':
      return { ...withUndo(state, 'release_slug', event.data, 'reserve_slug'), resources: { ...r, slug: false } };
    case 'SchoolRolledBack':
      return { ...state, status: 'failed', steps: skipPending(state.steps) };
    case 'SchoolDeleted':
      return { ...state, status: 'deleted', steps: skipPending(state.steps), restore: undefined };
    case 'SchoolRestoreRequested':
      return restoring(state, event.data);
    case 'SchoolRestored':
      return { ...state, status: 'active', restore: undefined };
    case 'SchoolRestoreFailed': {
      const { failedStep: step, reason, finishedAt: failedAt } = event.data;
      const deleted = { ...state, status: 'deleted' as const, steps: skipPending(state.steps), restore: undefined };
      return { ...deleted, restoreFailure: { step, reason, failedAt } };
    }
    // SchoolRequestAbandoned is only ever the first event of a stream, which then never holds a school.
    case 'OrphanRemoved':
    case 'SchoolRequestAbandoned':
    case 'SchoolCredentialsRead': // an audit fact: who was given the password
      return state;
    case 'SchoolMoveStarted':
      return { ...state, move: { to: event.data.to, startedAt: event.data.startedAt } };
    case 'SchoolMoved':
      return { ...state, server: event.data.to, move: undefined };
    case 'SchoolMoveFailed':
      return { ...state, move: undefined };
    case 'SchoolCredentialsRotated':
      return { ...state, credentials: { keyId: event.data.keyId, generation: event.data.generation } };
    case 'CertificateRenewed': {
      const { provider, reference, serialNumber, notBefore, notAfter, issuer, finishedAt } = event.data;
      return {
        ...state,
        resources: {
          ...r,
          certificate: { provider, reference, serialNumber, notBefore, notAfter, issuer, renewedAt: finishedAt },
        },
        renewal: undefined,
      };
    }
    case 'CertificateRenewalFailed':
      return {
        ...state,
        renewal: { attempts: event.data.attempt, error: event.data.error, retryAt: event.data.retryAt },
      };
    default: {
      // Exhaustive at compile time; at run time an event type this version does not know (a newer
      // process's) leaves the state as it was, never replacing it with the event.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

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

export function fold(events: Iterable<FoldableEvent>, initial?: SchoolState): SchoolState | undefined {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
}
