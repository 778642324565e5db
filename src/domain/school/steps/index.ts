import type { SchoolState } from '../state.js';
import type { StepName } from '../steps.js';
import { createDatabase } from './create-database.js';
import { createDns } from './create-dns.js';
import { deliverCertificate } from './deliver-certificate.js';
import { issueCertificate } from './issue-certificate.js';
import { registerSchool } from './register-school.js';
import { reserveSlug } from './reserve-slug.js';
import { runMigrations } from './run-migrations.js';
import { sendWelcomeEmail } from './send-welcome-email.js';
import type { OwnedResource, StepEffects } from './step-effects.js';

export type { OwnedResource, StepEffects } from './step-effects.js';

/** Every step's effects on the state: a step in the order without its entry here does not compile. */
export const STEP_EFFECTS: { [N in StepName]: StepEffects<N> } = {
  reserve_slug: reserveSlug,
  create_database: createDatabase,
  run_migrations: runMigrations,
  create_dns: createDns,
  issue_certificate: issueCertificate,
  deliver_certificate: deliverCertificate,
  register_school: registerSchool,
  send_welcome_email: sendWelcomeEmail,
};

/** What the school's steps own in the world now, as its events tell: what the reconciler accounts to it. */
export function ownedResources(state: SchoolState): OwnedResource[] {
  return Object.values(STEP_EFFECTS).flatMap((effects) => (effects as StepEffects<StepName>).owns?.(state) ?? []);
}
