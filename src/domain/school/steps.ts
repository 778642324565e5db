/** The provisioning steps in order (DESIGN.md), with the compensation that undoes each. */
export const STEPS = [
  'reserve_slug',
  'create_database',
  'run_migrations',
  'create_dns',
  'issue_certificate',
  'register_school',
  'send_welcome_email',
] as const;
export type StepName = (typeof STEPS)[number];

export const COMPENSATIONS = {
  reserve_slug: 'release_slug',
  create_database: 'drop_database',
  run_migrations: undefined, // dropped with the database
  create_dns: 'delete_dns',
  issue_certificate: 'revoke_certificate',
  register_school: 'unregister_school',
  send_welcome_email: undefined, // a sent email cannot be unsent
} as const satisfies Record<StepName, string | undefined>;
export type CompensationName = NonNullable<(typeof COMPENSATIONS)[StepName]>;

/** Undo order: the reverse of the steps. */
export const UNDO_ORDER: readonly CompensationName[] = [
  'unregister_school',
  'revoke_certificate',
  'delete_dns',
  'drop_database',
  'release_slug',
];

export const CRITICAL: Record<StepName, boolean> = {
  reserve_slug: true,
  create_database: true,
  run_migrations: true,
  create_dns: true,
  issue_certificate: true,
  register_school: true,
  send_welcome_email: false,
};

export type ActionName = StepName | CompensationName;

export function isStepName(value: string): value is StepName {
  return (STEPS as readonly string[]).includes(value);
}

export function isCompensationName(value: string): value is CompensationName {
  return (UNDO_ORDER as readonly string[]).includes(value);
}

export function stepUndoneBy(compensation: CompensationName): StepName {
  const entry = Object.entries(COMPENSATIONS).find(([, undo]) => undo === compensation);
  if (!entry) throw new Error(`unknown compensation ${compensation}`);
  return entry[0] as StepName;
}
