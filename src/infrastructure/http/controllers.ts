import { AuditController } from './audit.controller.js';
import { ChangeDetailsController } from './change-details.controller.js';
import { EventsController } from './events.controller.js';
import { FleetReportController } from './fleet-report.controller.js';
import { HealthController } from './health.controller.js';
import { ListSchoolsController } from './list-schools.controller.js';
import { MeController } from './me.controller.js';
import { OnboardingReportController } from './onboarding-report.controller.js';
import { ProjectionsController } from './projections.controller.js';
import { ReadCredentialsController } from './read-credentials.controller.js';
import { RequestSchoolController } from './request-school.controller.js';
import { RequestTeardownController } from './request-teardown.controller.js';
import { RestoreSchoolController } from './restore-school.controller.js';
import { RetrySchoolController } from './retry-school.controller.js';
import { SchoolHistoryController } from './school-history.controller.js';
import { SchoolViewController } from './school-view.controller.js';
import { StepsReportController } from './steps-report.controller.js';
import { SuspensionController } from './suspension.controller.js';
import { WebhooksController } from './webhooks.controller.js';

/**
 * Every controller of the API but /metrics (which SCS_METRICS_PORT may move to a port of its own). The order
 * is the OpenAPI document's: its paths, and each path's methods, stand in the order of the controllers here.
 */
export const HTTP_CONTROLLERS = [
  RequestSchoolController,
  RetrySchoolController,
  SchoolViewController,
  RequestTeardownController,
  SchoolHistoryController,
  ListSchoolsController,
  ChangeDetailsController,
  SuspensionController,
  RestoreSchoolController,
  ReadCredentialsController,
  ProjectionsController,
  OnboardingReportController,
  StepsReportController,
  FleetReportController,
  AuditController,
  HealthController,
  MeController,
  WebhooksController,
  EventsController,
];
