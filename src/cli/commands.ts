import type { Command } from 'commander';
import { registerAudit } from '../audit/audit.cli.js';
import { registerProjections } from '../projections/projections.cli.js';
import { registerReport } from '../reports/report.cli.js';
import { registerSchoolsMigrate } from '../school/schema-rollout/schema-rollout.cli.js';
import { registerSchoolMove } from '../school/move-school/move-school.cli.js';
import { registerServers } from './servers.cli.js';
import { registerReconcile } from '../reconcile/reconcile.cli.js';
import { registerSchoolDelete } from '../school/request-teardown/request-teardown.cli.js';
import { registerSchoolHistory } from '../school/history/school-history.cli.js';
import { registerSchoolRetry } from '../school/retry-school/retry-school.cli.js';
import { registerSchoolShow } from '../school/view/show-school.cli.js';
import { registerSchoolRestore } from '../school/restore-school/restore-school.cli.js';
import { registerSchoolSuspension } from '../school/suspension/suspension.cli.js';
import { registerSchoolsList } from '../school/view/list-schools.cli.js';
import { registerSecrets } from '../school/rotate-credentials/rotate-credentials.cli.js';
import { registerWebhooks } from '../webhooks/webhooks.cli.js';

/**
 * Every CLI command, in help order. Adding one is a module that adds itself to the program (use
 * `group(program, 'schools', …)` to join an existing group) and one line here.
 */
export const COMMANDS: Array<(program: Command) => void> = [
  registerSchoolsList,
  registerSchoolsMigrate,
  registerSchoolHistory,
  registerSchoolShow,
  registerSchoolDelete,
  registerSchoolRetry,
  registerSchoolMove,
  registerSchoolSuspension,
  registerSchoolRestore,
  registerReconcile,
  registerProjections,
  registerReport,
  registerAudit,
  registerSecrets,
  registerServers,
  registerWebhooks,
];
