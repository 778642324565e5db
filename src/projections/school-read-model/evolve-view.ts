import type { StepRun } from '../../domain/school/events.js';
import type { FoldableEvent } from '../../domain/school/evolve.js';
import type { StepStatus } from '../../domain/school/state.js';
import type { ActionName, CompensationName, StepName } from '../../domain/school/steps.js';
import { isCompensationName, isLifecycleAction, STEPS } from '../../domain/school/steps.js';
import { serverOf } from '../../domain/school/placement.js';
import type { RestoreView, SchoolView, StepView } from './school-view.js';

/**
 * Folds one event into the school's view. Pure, and the read model's own: it shares no state type
 * with the domain, so the domain can change shape without the stored rows being misread. A new event
 * is one `case` here (and a field in `SchoolView` if it shows something new).
 */
export function evolveView(view: SchoolView | undefined, event: FoldableEvent): SchoolView | undefined {
  if (event.type === 'SchoolRequested') {
    const { schoolId: id, name, slug, databaseName, subdomain, requestedAt, district, board, adminEmail } = event.data;
    return {
      id,
      name,
      slug,
      databaseName,
      subdomain,
      status: 'provisioning',
      createdAt: requestedAt,
      updatedAt: requestedAt,
      district,
      board,
      adminEmail,
      phone: event.data.phone,
      steps: STEPS.map((step) => ({ ...NOT_RUN, name: step })),
      compensations: [],
      warnings: [],
      schemaVersion: null,
      server: null,
      revision: event.revision ?? 0,
    };
  }
  if (!view) return view;
  const next = apply(view, event);
  const updatedAt = event.metadata?.now ?? next.updatedAt;
  const revision = event.revision ?? view.revision + 1;
  if (next === view) return { ...view, updatedAt, revision };
  // `next` is a new object `apply` made for this event and nobody else holds: it is finished here rather
  // than copied once more (a rebuild folds every event; the copy was a fifth of the fold's time).
  next.updatedAt = updatedAt;
  next.revision = revision;
  return next;
}

export function foldView(events: Iterable<FoldableEvent>, initial?: SchoolView): SchoolView | undefined {
  let view = initial;
  for (const event of events) view = evolveView(view, event);
  return view;
}

function apply(view: SchoolView, event: FoldableEvent): SchoolView {
  switch (event.type) {
    case 'SchoolRequested':
      return view;
    case 'SlugReserved':
      return withStep(view, succeeded('reserve_slug', event.data));
    case 'DatabaseCreated':
      return { ...withStep(view, succeeded('create_database', event.data)), server: serverOf(event.data) };
    case 'MigrationsApplied':
      return { ...withStep(view, succeeded('run_migrations', event.data)), schemaVersion: event.data.schemaVersion };
    case 'SchoolSchemaUpgraded':
      return { ...view, schemaVersion: event.data.to, schemaUpgrade: undefined };
    case 'SchoolSchemaUpgradeFailed': {
      const { migration, error, attempt: attempts, permanent, finishedAt: failedAt, retryAt, version } = event.data;
      const failure = { status: 'failed' as const, migration, error, attempts, permanent, failedAt };
      return { ...view, schemaVersion: version, schemaUpgrade: retryAt ? { ...failure, retryAt } : failure };
    }
    case 'DnsRecordCreated': {
      const { name, recordType: type, provider } = event.data;
      return { ...withStep(view, succeeded('create_dns', event.data)), dns: { name, type, provider } };
    }
    case 'CertificateIssued': {
      const { provider, serialNumber, notBefore, notAfter, issuer } = event.data;
      const certificate = { provider, serialNumber, notBefore, notAfter, issuer };
      return { ...withStep(view, succeeded('issue_certificate', event.data)), certificate };
    }
    case 'CertificateDelivered': {
      const { delivery, serialNumber, location, finishedAt: deliveredAt } = event.data;
      const delivered = { delivery, serialNumber, ...(location ? { location } : {}), deliveredAt };
      // A delivery after a renewal leaves the provisioning step as it was.
      const step = stepOf(view, 'deliver_certificate').status === 'succeeded';
      const next = step ? view : withStep(view, succeeded('deliver_certificate', event.data));
      return view.certificate ? { ...next, certificate: { ...view.certificate, delivered } } : next;
    }
    case 'SchoolRegistered':
      return withStep(view, succeeded('register_school', event.data));
    case 'WelcomeEmailSent':
      return withStep(view, succeeded('send_welcome_email', event.data));
    case 'WelcomeEmailFailed': {
      const { error } = event.data;
      const step = { ...succeeded('send_welcome_email', event.data), status: 'warning' as const, error };
      return { ...withStep(view, step), warnings: [...view.warnings, `welcome email not sent: ${error}`] };
    }
    case 'SchoolProvisioned':
      return { ...view, status: 'active' };
    case 'StepAttemptFailed': {
      const { step: name, attempt: attempts, ...times } = event.data;
      if (isLifecycleAction(name)) {
        // Not a step: a suspension's (or its undoing's) shows under it; the registry's only in the history.
        if (name === 'update_registry' || !view.suspension) return view;
        const retry = { action: name, attempts, error: times.error, retryAt: times.retryAt };
        return { ...view, suspension: { ...view.suspension, retry } };
      }
      const failed: StepView = { name, status: 'retrying', attempts, ...times };
      return isCompensationName(name) ? withCompensation(view, failed) : withStep(view, failed);
    }
    case 'ProvisioningStepFailed': {
      const { step, attempt, startedAt, finishedAt, error } = event.data;
      const failed: StepView = { name: step, status: 'failed', attempts: attempt, startedAt, finishedAt, error };
      return { ...withStep(view, failed), failedStep: step, failureReason: error };
    }
    case 'RollbackStarted':
      return { ...view, status: 'rolling_back', failedStep: event.data.failedStep, failureReason: event.data.reason };
    case 'TeardownRequested':
      return { ...view, status: 'deprovisioning' };
    case 'DatabaseDropped': {
      const next = undone(view, 'drop_database', event.data, 'create_database');
      const migrated = stepOf(view, 'run_migrations').status === 'succeeded';
      return migrated ? withStatus(next, 'run_migrations', 'undone') : next;
    }
    case 'DnsRecordDeleted':
      return { ...undone(view, 'delete_dns', event.data, 'create_dns'), dns: undefined };
    case 'CertificateWithdrawn': {
      const next = undone(view, 'withdraw_certificate', event.data, 'deliver_certificate');
      if (!view.certificate) return next;
      const { delivered: _delivered, ...certificate } = view.certificate;
      return { ...next, certificate };
    }
    case 'CertificateRevoked':
      return { ...undone(view, 'revoke_certificate', event.data, 'issue_certificate'), certificate: undefined };
    case 'SchoolUnregistered':
      return undone(view, 'unregister_school', event.data, 'register_school');
    case 'SlugReleased':
      return undone(view, 'release_slug', event.data, 'reserve_slug');
    case 'SchoolRolledBack':
      return skipPending({ ...view, status: 'failed' });
    case 'SchoolDeleted':
      return skipPending({ ...view, status: 'deleted' });
    case 'SchoolDetailsChanged':
      return { ...view, ...event.data.changes };
    case 'SchoolRestoreRequested': {
      const { requestedAt, archive } = event.data;
      const restore = { status: 'restoring' as const, requestedAt, archivedAt: archive.archivedAt, finishedAt: null };
      const { failedStep: _step, failureReason: _reason, ...rest } = view;
      const steps = STEPS.map((step) => ({ ...NOT_RUN, name: step }));
      const fresh = { ...rest, status: 'restoring', steps, compensations: [], warnings: [], restore };
      return event.data.notify ? fresh : withStatus(fresh, 'send_welcome_email', 'skipped');
    }
    case 'SchoolRestored':
      return {
        ...view,
        status: 'active',
        restore: view.restore && finished(view.restore, 'restored', event.data.restoredAt),
      };
    case 'SchoolRestoreFailed': {
      const { failedStep, reason, finishedAt } = event.data;
      const restore = view.restore && { ...finished(view.restore, 'failed', finishedAt), failedStep, reason };
      return skipPending({ ...view, status: 'deleted', restore });
    }
    case 'SchoolSuspensionRequested': {
      const { reason, requestedAt } = event.data;
      return { ...view, status: 'suspending', suspension: { reason, requestedAt, suspendedAt: null } };
    }
    case 'SchoolSuspended': {
      const { reason, finishedAt: suspendedAt, dns } = event.data;
      const requestedAt = view.suspension?.requestedAt ?? suspendedAt;
      return { ...pointed(view, dns), status: 'suspended', suspension: { reason, requestedAt, suspendedAt } };
    }
    case 'SchoolResumeRequested': {
      const { retry: _retry, ...suspension } = view.suspension ?? { reason: '', requestedAt: '', suspendedAt: null };
      return { ...view, status: 'resuming', suspension };
    }
    case 'SchoolResumed':
      return { ...pointed(view, event.data.dns), status: 'active', suspension: undefined };
    case 'SchoolRegistryUpdated': // the registry row caught up with the details the view already shows
      return view;
    case 'SchoolMoved':
      return { ...view, server: event.data.to };
    case 'SchoolMoveStarted':
    case 'SchoolMoveFailed': // the history shows a move under way or failed; the server changes only once moved
      return view;
    case 'OrphanRemoved':
    case 'SchoolRequestAbandoned': // a dead request's stream: the school never existed
    case 'SchoolCredentialsRotated': // secrets stay out of the read model; the registry has the sealed copy
    case 'SchoolCredentialsRead': // the history shows who read them
      return view;
    case 'CertificateRenewed': {
      const { provider, serialNumber, notBefore, notAfter, issuer, finishedAt: renewedAt } = event.data;
      // The delivered one stays what it was until the renewed certificate is delivered too.
      const delivered = view.certificate?.delivered;
      const certificate = { provider, serialNumber, notBefore, notAfter, issuer, renewedAt };
      return { ...view, certificate: delivered ? { ...certificate, delivered } : certificate };
    }
    case 'CertificateRenewalFailed': {
      const { attempt: attempts, error, retryAt } = event.data;
      if (!view.certificate) return view;
      return { ...view, certificate: { ...view.certificate, renewal: { attempts, error, retryAt } } };
    }
    default: {
      // Exhaustive at compile time; at run time an event type this version does not know (a newer
      // process's, e.g. a schema rollout's) leaves the view as it was instead of replacing it.
      const unknown: never = event;
      void unknown;
      return view;
    }
  }
}

const NOT_RUN = { status: 'pending', attempts: 0, startedAt: null, finishedAt: null, error: null } as const;

function succeeded(name: ActionName, run: StepRun): StepView {
  const { attempt: attempts, startedAt, finishedAt } = run;
  return { name, status: 'succeeded', attempts, startedAt, finishedAt, error: null };
}

function stepOf(view: SchoolView, name: StepName): StepView {
  return view.steps.find((step) => step.name === name) ?? { ...NOT_RUN, name };
}

function withStep(view: SchoolView, value: StepView): SchoolView {
  return { ...view, steps: view.steps.map((step) => (step.name === value.name ? value : step)) };
}

function withCompensation(view: SchoolView, value: StepView): SchoolView {
  return { ...view, compensations: [...view.compensations.filter((c) => c.name !== value.name), value] };
}

/** A new status; the retry time shows only while a step waits for its retry. */
function withStatus(view: SchoolView, name: StepName, status: StepStatus): SchoolView {
  const { retryAt: _retryAt, ...step } = stepOf(view, name);
  return withStep(view, { ...step, status });
}

/** A compensation done: the step it undid is `undone`, unless it is the one that failed. */
function undone(view: SchoolView, compensation: CompensationName, run: StepRun, step: StepName): SchoolView {
  const next = withCompensation(view, succeeded(compensation, run));
  return stepOf(view, step).status === 'failed' ? next : withStatus(next, step, 'undone');
}

/** The view with its DNS record as a suspension or a resumption pointed it (unchanged without one). */
function pointed(
  view: SchoolView,
  dns: { name: string; recordType: string; provider: string } | undefined,
): SchoolView {
  return dns ? { ...view, dns: { name: dns.name, type: dns.recordType, provider: dns.provider } } : view;
}

function finished(restore: RestoreView, status: RestoreView['status'], at: string): RestoreView {
  return { ...restore, status, finishedAt: at };
}

function skipPending(view: SchoolView): SchoolView {
  const skip = (step: StepView): StepView => (step.status === 'pending' ? { ...step, status: 'skipped' } : step);
  return { ...view, steps: view.steps.map(skip) };
}
