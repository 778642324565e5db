import { AuditController } from './audit.controller.js';
import { CredentialsController } from './credentials.controller.js';
import { EventsController } from './events.controller.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import { ReportsController } from './reports.controller.js';
import { SchoolLifecycleController } from './school-lifecycle.controller.js';
import { SchoolsController } from './schools.controller.js';
import { WebhooksController } from './webhooks.controller.js';

/** Every controller of the API but /metrics (which SCS_METRICS_PORT may move to a port of its own). */
export const HTTP_CONTROLLERS = [
  SchoolsController,
  SchoolLifecycleController,
  CredentialsController,
  ReportsController,
  AuditController,
  HealthController,
  MeController,
  WebhooksController,
  EventsController,
];
