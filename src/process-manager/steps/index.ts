import type { StepName } from '../../domain/school/steps.js';
import { createDatabase } from './create-database.js';
import { createDns } from './create-dns.js';
import { deliverCertificate } from './deliver-certificate.js';
import { issueCertificate } from './issue-certificate.js';
import { registerSchool } from './register-school.js';
import { reserveSlug } from './reserve-slug.js';
import { runMigrations } from './run-migrations.js';
import { sendWelcomeEmail } from './send-welcome-email.js';
import type { AnyStepModule, PortName, StepModule } from './step-module.js';

/** Every step's module, by name: the compiler refuses a step of `STEP_ORDER` without one. */
const MODULES: { [N in StepName]: StepModule<N, PortName> } = {
  reserve_slug: reserveSlug,
  create_database: createDatabase,
  run_migrations: runMigrations,
  create_dns: createDns,
  issue_certificate: issueCertificate,
  deliver_certificate: deliverCertificate,
  register_school: registerSchool,
  send_welcome_email: sendWelcomeEmail,
};

export function stepModule(step: StepName): AnyStepModule {
  return MODULES[step] as AnyStepModule;
}
