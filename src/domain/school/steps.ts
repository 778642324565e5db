/**
 * The provisioning steps in order (docs/ARCHITECTURE.md, "Adding a step"): one line per step, naming
 * the event that records it done, its compensation and the event that records that; `goesWith` when
 * its effect is undone by another step's undo; and `critical: false` with the `warning` a school shows
 * when its failure leaves the school active instead of rolling it back (recorded as
 * `NonCriticalStepFailed`). Everything else (undo order, lookups, the fold of each step's events) is
 * derived from this list; what a step's events change in the state, and what it owns, lives in
 * `domain/school/steps/<name>.ts`; what it does in `process-manager/steps/<name>.ts`.
 */
export const STEP_ORDER = [
  { name: 'reserve_slug', done: 'SlugReserved', undo: 'release_slug', undone: 'SlugReleased' },
  { name: 'create_database', done: 'DatabaseCreated', undo: 'drop_database', undone: 'DatabaseDropped' },
  // No undo of its own: the migrated schema goes with the database.
  { name: 'run_migrations', done: 'MigrationsApplied', goesWith: 'create_database' },
  { name: 'create_dns', done: 'DnsRecordCreated', undo: 'delete_dns', undone: 'DnsRecordDeleted' },
  { name: 'issue_certificate', done: 'CertificateIssued', undo: 'revoke_certificate', undone: 'CertificateRevoked' },
  // Withdrawn before the certificate is revoked (the undo order is the reverse of this list). Recorded
  // again by the renewer for each renewed certificate, which leaves the step as it was.
  {
    name: 'deliver_certificate',
    done: 'CertificateDelivered',
    undo: 'withdraw_certificate',
    undone: 'CertificateWithdrawn',
    recordedAgain: true,
  },
  { name: 'register_school', done: 'SchoolRegistered', undo: 'unregister_school', undone: 'SchoolUnregistered' },
  // A sent email cannot be unsent; its failure leaves the school active with a warning.
  { name: 'send_welcome_email', done: 'WelcomeEmailSent', critical: false, warning: 'welcome email not sent' },
] as const;

/**
 * What the process manager does for a school outside provisioning and its undo, each recorded by one
 * event; `plan.ts` (`lifecycleAction`) says when. Like compensations, they are retried until they succeed.
 */
export const LIFECYCLE_ACTIONS = [
  // The registry row follows a change of the school's details.
  { name: 'update_registry', done: 'SchoolRegistryUpdated' },
  // The school's role cannot log in (its sessions ended) and its name points at the maintenance target.
  { name: 'suspend_school', done: 'SchoolSuspended' },
  // Both undone.
  { name: 'resume_school', done: 'SchoolResumed' },
] as const;

type StepDefinition = (typeof STEP_ORDER)[number];
type LifecycleDefinition = (typeof LIFECYCLE_ACTIONS)[number];
export type StepName = StepDefinition['name'];
export type CompensationName = Extract<StepDefinition, { undo: string }>['undo'];
export type LifecycleActionName = LifecycleDefinition['name'];
export type ActionName = StepName | CompensationName | LifecycleActionName;

/** The event type that records an action's success. */
export type RecordedBy<A extends ActionName> =
  | Extract<StepDefinition, { name: A }>['done']
  | Extract<StepDefinition, { undo: A }>['undone']
  | Extract<LifecycleDefinition, { name: A }>['done'];

/** Every event type that records a step done or undone. */
export type StepRecordedEvent = StepDefinition['done'] | Extract<StepDefinition, { undone: string }>['undone'];

/** The compensation that undoes step `N` (never when it has none). */
export type CompensationOf<N extends StepName> = Extract<StepDefinition, { name: N; undo: string }>['undo'];

export const STEPS: readonly StepName[] = STEP_ORDER.map((step) => step.name);

export const COMPENSATIONS = Object.fromEntries(
  STEP_ORDER.map((step) => [step.name, 'undo' in step ? step.undo : undefined]),
) as Record<StepName, CompensationName | undefined>;

/** Undo order: the reverse of the steps. */
export const UNDO_ORDER: readonly CompensationName[] = STEP_ORDER.flatMap((step) =>
  'undo' in step ? [step.undo] : [],
).reverse();

/** A non-critical step's warning, shown when it failed for good (`NonCriticalStepFailed`). */
export const WARNING_OF = Object.fromEntries(
  STEP_ORDER.flatMap((step) => ('warning' in step ? [[step.name, step.warning]] : [])),
) as Partial<Record<StepName, string>>;

/** Steps whose event is recorded again after the step (by other work): a repeat leaves the step as it was. */
export const RECORDED_AGAIN = new Set<StepName>(
  STEP_ORDER.flatMap((step) => ('recordedAgain' in step && step.recordedAgain ? [step.name] : [])),
);

/** Steps whose effect goes with another step's undo (the migrated schema with the database). */
export const GOES_WITH = Object.fromEntries(
  STEP_ORDER.flatMap((step) => ('goesWith' in step ? [[step.name, step.goesWith]] : [])),
) as Partial<Record<StepName, StepName>>;

/** The step an event records done, or whose undo it records. */
export const STEP_RECORDED_BY = new Map<string, { step: StepName; undo?: CompensationName }>(
  STEP_ORDER.flatMap((step) => [
    [step.done, { step: step.name }],
    ...('undo' in step ? [[step.undone, { step: step.name, undo: step.undo }] as const] : []),
  ]),
);

export const CRITICAL = Object.fromEntries(
  STEP_ORDER.map((step) => [step.name, !('critical' in step) || step.critical]),
) as Record<StepName, boolean>;

/** The event type that records each step's (or compensation's) success. */
export const RECORDED_BY = Object.fromEntries([
  ...STEP_ORDER.flatMap((step) => [[step.name, step.done], ...('undo' in step ? [[step.undo, step.undone]] : [])]),
  ...LIFECYCLE_ACTIONS.map((action) => [action.name, action.done]),
]) as { [A in ActionName]: RecordedBy<A> };

export function isCompensationName(value: string): value is CompensationName {
  return (UNDO_ORDER as readonly string[]).includes(value);
}

export function isLifecycleAction(value: string): value is LifecycleActionName {
  return LIFECYCLE_ACTIONS.some((action) => action.name === value);
}

/** How the process manager's work on a school is counted (metrics, the steps report). */
export function kindOf(action: ActionName): 'step' | 'compensation' | 'lifecycle' {
  return isCompensationName(action) ? 'compensation' : isLifecycleAction(action) ? 'lifecycle' : 'step';
}

export function stepUndoneBy(compensation: CompensationName): StepName {
  const entry = STEP_ORDER.find((step) => 'undo' in step && step.undo === compensation);
  if (!entry) throw new Error(`unknown compensation ${compensation}`);
  return entry.name;
}
