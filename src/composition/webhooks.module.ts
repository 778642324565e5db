import { Global, Module } from '@nestjs/common';
import { CHECKPOINT_STORE } from '../ports/checkpoint-store.port.js';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { LOCKS, type Locks } from '../ports/locks.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import {
  WEBHOOK_ENDPOINTS,
  WEBHOOK_TRANSPORT,
  type WebhookEndpoints,
  type WebhookTransport,
} from '../ports/webhooks.port.js';
import { WEBHOOK_PARTS, type WebhookParts } from '../webhooks/manage-webhooks.js';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.js';
import type { Config } from '../config/config.js';
import type { PostgresCheckpointStore } from '../adapters/postgres/postgres-checkpoint-store.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { ownerIdOf } from '../adapters/postgres/central-database.js';
import { SchoolCredentials } from '../adapters/secrets/credentials.js';
import { HttpWebhookTransport } from '../adapters/webhooks/http/http-webhook-transport.js';
import { PostgresWebhookEndpoints } from '../adapters/webhooks/postgres/postgres-webhook-endpoints.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, type CentralDatabase } from './tokens.js';

const EVENT_SOURCE = Symbol('EventSource');

/** The CloudEvents `source` of this instance's integration events. */
function eventSource(config: Config, central: CentralDatabase): string {
  return `/scs/${ownerIdOf(config, central.url)}`;
}

/** Webhook endpoints (PostgreSQL), their HTTP deliveries and the dispatcher that drives them. */
@Global()
@Module({
  providers: [
    { provide: EVENT_SOURCE, inject: [CONFIG, CENTRAL_DATABASE], useFactory: eventSource },
    {
      provide: WEBHOOK_ENDPOINTS,
      inject: [CENTRAL_DATABASE, CHECKPOINT_STORE, SchoolCredentials],
      useFactory: (central: CentralDatabase, checkpoints: PostgresCheckpointStore, credentials: SchoolCredentials) =>
        new PostgresWebhookEndpoints(central.pool, checkpoints, credentials.sealingKeys()),
    },
    {
      provide: WEBHOOK_TRANSPORT,
      inject: [CONFIG],
      useFactory: (config: Config) => new HttpWebhookTransport(config.webhooks),
    },
    {
      provide: WebhookDispatcher,
      inject: [
        EVENT_STORE,
        WEBHOOK_ENDPOINTS,
        WEBHOOK_TRANSPORT,
        PrometheusMetrics,
        APP_LOGGER,
        LOCKS,
        CONFIG,
        EVENT_SOURCE,
        CLOCK,
      ],
      useFactory: (
        ...[store, endpoints, transport, metrics, logger, locks, config, source, clock]: [
          EventStore,
          WebhookEndpoints,
          WebhookTransport,
          PrometheusMetrics,
          AppLogger,
          Locks,
          Config,
          string,
          Clock,
        ]
      ) => {
        const { retryBaseMs, retryMaxMs, retryForSeconds } = config.webhooks;
        const policy = { baseDelayMs: retryBaseMs, maxDelayMs: retryMaxMs, retryForMs: retryForSeconds * 1000 };
        const telemetry = metrics.webhooks;
        return new WebhookDispatcher({ store, endpoints, transport, telemetry, logger, locks, policy, source, clock });
      },
    },
    {
      provide: WEBHOOK_PARTS,
      inject: [EVENT_STORE, WEBHOOK_ENDPOINTS, WEBHOOK_TRANSPORT, EVENT_SOURCE, WebhookDispatcher, APP_LOGGER, CLOCK],
      useFactory: (
        ...[store, endpoints, transport, source, dispatcher, logger, clock]: [
          EventStore,
          WebhookEndpoints,
          WebhookTransport,
          string,
          WebhookDispatcher,
          AppLogger,
          Clock,
        ]
      ): WebhookParts => ({
        store,
        endpoints,
        transport,
        source,
        logger,
        clock,
        changed: () => void dispatcher.refresh(),
      }),
    },
  ],
  exports: [WEBHOOK_PARTS, WebhookDispatcher],
})
export class WebhooksModule {}
