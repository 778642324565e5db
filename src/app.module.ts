import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { ProblemThrottlerGuard, rateLimits } from './infrastructure/http/rate-limit.js';
import { PostgresThrottlerStorage } from './infrastructure/http/rate-limits/postgres-throttler-storage.js';
import { RequestSchoolHandler } from './application/request-school/request-school.handler.js';
import { RequestTeardownHandler } from './application/request-teardown/request-teardown.handler.js';
import { RetrySchoolHandler } from './application/retry-school/retry-school.handler.js';
import { ChangeDetailsHandler } from './application/change-details/change-details.handler.js';
import { ResumeSchoolHandler, SuspendSchoolHandler } from './application/suspension/suspension.handlers.js';
import { apiKey, ApiKeyGuard } from './infrastructure/http/api-key.guard.js';
import { HealthController } from './infrastructure/http/health.controller.js';
import { MetricsController } from './infrastructure/http/metrics.controller.js';
import { IdempotencyStore } from './infrastructure/http/idempotency/idempotency-store.js';
import {
  IDEMPOTENCY_STORE,
  IdempotencyInterceptor,
} from './infrastructure/http/idempotency/idempotency.interceptor.js';
import { ProblemFilter } from './infrastructure/http/problem.filter.js';
import { SchoolsController } from './infrastructure/http/schools.controller.js';
import { SchoolLifecycleController } from './infrastructure/http/school-lifecycle.controller.js';
import { READINESS, REPORTING } from './infrastructure/http/tokens.js';
import { ReportsController } from './infrastructure/http/reports.controller.js';
import { AuditController } from './infrastructure/http/audit.controller.js';
import { Runtime } from './infrastructure/runtime.js';
import type { AppLogger } from './application/ports/logger.port.js';
import type { Config } from './config/config.js';
import { CoreModule } from './infrastructure/composition/core.module.js';
import { CENTRAL_DATABASE, type CentralDatabase } from './infrastructure/composition/tokens.js';

/** The HTTP and command side over the adapters of CoreModule (one set, built once). */
@Module({})
export class AppModule {
  static forConfig(config: Config, logger: AppLogger, apiKeys: Array<{ id?: string; secret: string }>): DynamicModule {
    const keys = apiKeys.map(apiKey);
    // With SCS_METRICS_PORT, /metrics is served on that port only (infrastructure/metrics).
    const metrics = config.metricsPort === undefined ? [MetricsController] : [];
    return {
      module: AppModule,
      imports: [
        CoreModule.forConfig(config, logger),
        CqrsModule.forRoot(),
        ThrottlerModule.forRootAsync({
          inject: [CENTRAL_DATABASE],
          useFactory: (central: CentralDatabase) => ({
            ...rateLimits(config.rateLimitPerMinute, config.postRateLimitPerMinute),
            // The counters live in the central database, so the limits hold across replicas and restarts.
            storage: new PostgresThrottlerStorage(central.pool, new Logger('RateLimits')),
          }),
        }),
      ],
      controllers: [
        SchoolsController,
        SchoolLifecycleController,
        ReportsController,
        AuditController,
        HealthController,
        ...metrics,
      ],
      providers: [
        RequestSchoolHandler,
        RequestTeardownHandler,
        RetrySchoolHandler,
        ChangeDetailsHandler,
        SuspendSchoolHandler,
        ResumeSchoolHandler,
        { provide: READINESS, inject: [Runtime], useFactory: (runtime: Runtime) => runtime.readiness() },
        { provide: REPORTING, inject: [Runtime], useFactory: (runtime: Runtime) => runtime.reporting() },
        {
          provide: IDEMPOTENCY_STORE,
          inject: [CENTRAL_DATABASE],
          useFactory: (central: CentralDatabase) => new IdempotencyStore(central.pool),
        },
        IdempotencyInterceptor,
        // The rate limit runs first, so requests with a wrong key are counted too.
        { provide: APP_GUARD, useClass: ProblemThrottlerGuard },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, keys),
          inject: [Reflector],
        },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
