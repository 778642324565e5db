import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerProjections } from './projections.js';
import { registerReport } from './report.js';
import { registerSchoolsMigrate } from './schools-migrate.js';
import { registerSchoolMove } from './school-move.js';
import { registerServers } from './servers.js';
import { registerReconcile } from './reconcile.js';
import { registerSchoolDelete } from './school-delete.js';
import { registerSchoolHistory } from './school-history.js';
import { registerSchoolRetry } from './school-retry.js';
import { registerSchoolShow } from './school-show.js';
import { registerSchoolRestore } from './school-restore.js';
import { registerSchoolSuspension } from './school-suspension.js';
import { registerSchoolsList } from './schools.js';
import { registerSecrets } from './secrets.js';
import { registerWebhooks } from './webhooks.js';

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
