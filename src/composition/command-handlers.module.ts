import { Module } from '@nestjs/common';
import { ChangeDetailsHandler } from '../school/change-details/change-details.handler.js';
import { ReadCredentialsHandler } from '../school/read-credentials/read-credentials.js';
import { RequestSchoolHandler } from '../school/request-school/request-school.handler.js';
import { RequestTeardownHandler } from '../school/request-teardown/request-teardown.handler.js';
import { RestoreSchoolHandler } from '../school/restore-school/restore-school.handler.js';
import { RetrySchoolHandler } from '../school/retry-school/retry-school.handler.js';
import { ResumeSchoolHandler, SuspendSchoolHandler } from '../school/suspension/suspension.handlers.js';

const HANDLERS = [
  RequestSchoolHandler,
  RequestTeardownHandler,
  RetrySchoolHandler,
  ReadCredentialsHandler,
  ChangeDetailsHandler,
  SuspendSchoolHandler,
  ResumeSchoolHandler,
  RestoreSchoolHandler,
];

/** The school's command handlers, one set for the API (through the command bus) and the CLI (resolved by class). */
@Module({ providers: HANDLERS, exports: HANDLERS })
export class CommandHandlersModule {}
