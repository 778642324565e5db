import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { ProblemThrottlerGuard, rateLimits } from './http/rate-limit.js';
import { PostgresThrottlerStorage } from './http/rate-limits/postgres-throttler-storage.js';
import { apiKey, ApiKeyGuard, type Denial } from './http/api-key.guard.js';
import { HTTP_CONTROLLERS } from './http/controllers.js';
import { assertScopesDeclared } from './http/route-table.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.js';
import { MetricsController } from './http/metrics.controller.js';
import { IdempotencyStore } from './http/idempotency/idempotency-store.js';
import { IDEMPOTENCY_STORE, IdempotencyInterceptor } from './http/idempotency/idempotency.interceptor.js';
import { ProblemFilter } from './http/problem.filter.js';
import { EventStreams } from './integration-events/event-streams.js';
import type { AppLogger } from './ports/logger.port.js';
import type { Config, ConfiguredApiKey } from './config/config.js';
import { CoreModule } from './composition/core.module.js';
import { CENTRAL_DATABASE, type CentralDatabase } from './composition/tokens.js';
import { CommandSpans } from './adapters/tracing/command-spans.js';

/** The HTTP and command side over the adapters of CoreModule (one set, built once). */
@Module({})
export class AppModule {
  static forConfig(config: Config, logger: AppLogger, apiKeys: ConfiguredApiKey[]): DynamicModule {
    const keys = apiKeys.map(apiKey);
    // With SCS_METRICS_PORT, /metrics is served on that port only (adapters/metrics).
    const metrics = config.metricsPort === undefined ? [MetricsController] : [];
    const controllers = [...HTTP_CONTROLLERS, ...metrics];
    assertScopesDeclared(controllers);
    const denials = new Logger('ApiKeys');
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
      controllers,
      // The command handlers, READINESS and REPORTING come from CoreModule, shared with the CLI.
      providers: [
        CommandSpans, // a span per command, when traces are on
        {
          provide: IDEMPOTENCY_STORE,
          inject: [CENTRAL_DATABASE],
          useFactory: (central: CentralDatabase) => new IdempotencyStore(central.pool),
        },
        IdempotencyInterceptor,
        EventStreams,
        // The rate limit runs first, so requests with a wrong key are counted too.
        { provide: APP_GUARD, useClass: ProblemThrottlerGuard },
        {
          provide: APP_GUARD,
          // Every refusal is counted and logged with the key's id (never its secret).
          useFactory: (reflector: Reflector, metrics: PrometheusMetrics) =>
            new ApiKeyGuard(reflector, keys, (denial: Denial) => {
              metrics.denied(denial);
              const who = denial.keyId ? `key "${denial.keyId}"` : 'no valid key';
              const why = denial.reason === 'missing-scope' ? `lacks ${denial.scope ?? 'a declared scope'}` : '';
              denials.warn(`denied ${denial.method} ${denial.route}: ${who} ${why}`.trim(), {
                apiKeyId: denial.keyId,
                reason: denial.reason,
                ...(denial.scope ? { scope: denial.scope } : {}),
              });
            }),
          inject: [Reflector, PrometheusMetrics],
        },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
