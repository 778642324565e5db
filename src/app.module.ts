import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { ProblemThrottlerGuard, rateLimits } from './infrastructure/http/rate-limit.js';
import { PostgresThrottlerStorage } from './infrastructure/http/rate-limits/postgres-throttler-storage.js';
import { CLOCK, systemClock } from './application/ports/clock.port.js';
import { EVENT_STORE } from './application/ports/event-store.port.js';
import { RequestSchoolHandler } from './application/request-school/request-school.handler.js';
import { RequestTeardownHandler } from './application/request-teardown/request-teardown.handler.js';
import { APP_SETTINGS } from './application/settings.js';
import { apiKey, ApiKeyGuard } from './infrastructure/http/api-key.guard.js';
import { HealthController } from './infrastructure/http/health.controller.js';
import { METRICS, MetricsController } from './infrastructure/http/metrics.controller.js';
import { IdempotencyStore } from './infrastructure/http/idempotency/idempotency-store.js';
import { IDEMPOTENCY_STORE, IdempotencyInterceptor } from './infrastructure/http/idempotency/idempotency.interceptor.js';
import { ProblemFilter } from './infrastructure/http/problem.filter.js';
import { SchoolsController } from './infrastructure/http/schools.controller.js';
import { ReportsController } from './infrastructure/http/reports.controller.js';
import { AuditController } from './infrastructure/http/audit.controller.js';
import { READINESS, REPORTING, SCHOOL_QUERIES } from './infrastructure/http/tokens.js';
import type { Runtime } from './infrastructure/runtime.js';

/** The HTTP and command side, wired to the adapters the runtime built. */
@Module({})
export class AppModule {
  static forRuntime(runtime: Runtime, apiKeys: Array<{ id?: string; secret: string }>): DynamicModule {
    const keys = apiKeys.map(apiKey);
    // With SCS_METRICS_PORT, /metrics is served on that port only (infrastructure/metrics).
    const metrics = runtime.config.metricsPort === undefined ? [MetricsController] : [];
    return {
      module: AppModule,
      imports: [CqrsModule.forRoot(), ThrottlerModule.forRoot({
        ...rateLimits(runtime.config.rateLimitPerMinute, runtime.config.postRateLimitPerMinute),
        // The counters live in the central database, so the limits hold across replicas and restarts.
        storage: new PostgresThrottlerStorage(runtime.pool, new Logger('RateLimits')),
      })],
      controllers: [SchoolsController, ReportsController, AuditController, HealthController, ...metrics],
      providers: [
        RequestSchoolHandler,
        RequestTeardownHandler,
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: CLOCK, useValue: systemClock },
        { provide: APP_SETTINGS, useValue: { baseDomain: runtime.config.baseDomain } },
        { provide: SCHOOL_QUERIES, useValue: runtime.queries },
        { provide: READINESS, useValue: runtime.readiness() },
        { provide: REPORTING, useValue: runtime.reporting() },
        { provide: METRICS, useValue: runtime.metrics },
        { provide: IDEMPOTENCY_STORE, useValue: new IdempotencyStore(runtime.pool) },
        IdempotencyInterceptor,
        // The rate limit runs first, so requests with a wrong key are counted too.
        { provide: APP_GUARD, useClass: ProblemThrottlerGuard },
        { provide: APP_GUARD, useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, keys), inject: [Reflector] },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
