import { AuditController } from '../audit/audit.controller.js';
import { ChangeDetailsController } from '../school/change-details/change-details.controller.js';
import { EventsController } from '../integration-events/events.controller.js';
import { FleetReportController } from '../reports/fleet/fleet-report.controller.js';
import { HealthController } from './health.controller.js';
import { ListSchoolsController } from '../school/view/list-schools.controller.js';
import { MeController } from './me.controller.js';
import { OnboardingReportController } from '../reports/onboarding/onboarding-report.controller.js';
import { ProjectionsController } from '../projections/projections.controller.js';
import { ReadCredentialsController } from '../school/read-credentials/read-credentials.controller.js';
import { RequestSchoolController } from '../school/request-school/request-school.controller.js';
import { RequestTeardownController } from '../school/request-teardown/request-teardown.controller.js';
import { RestoreSchoolController } from '../school/restore-school/restore-school.controller.js';
import { RetrySchoolController } from '../school/retry-school/retry-school.controller.js';
import { SchoolHistoryController } from '../school/history/school-history.controller.js';
import { SchoolViewController } from '../school/view/school-view.controller.js';
import { StepsReportController } from '../reports/steps/steps-report.controller.js';
import { SuspensionController } from '../school/suspension/suspension.controller.js';
import { WebhooksController } from '../webhooks/webhooks.controller.js';

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
