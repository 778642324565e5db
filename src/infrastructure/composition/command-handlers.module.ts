import { Module } from '@nestjs/common';
import { ChangeDetailsHandler } from '../../application/change-details/change-details.handler.js';
import { ReadCredentialsHandler } from '../../application/read-credentials/read-credentials.js';
import { RequestSchoolHandler } from '../../application/request-school/request-school.handler.js';
import { RequestTeardownHandler } from '../../application/request-teardown/request-teardown.handler.js';
import { RestoreSchoolHandler } from '../../application/restore-school/restore-school.handler.js';
import { RetrySchoolHandler } from '../../application/retry-school/retry-school.handler.js';
import { ResumeSchoolHandler, SuspendSchoolHandler } from '../../application/suspension/suspension.handlers.js';

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
